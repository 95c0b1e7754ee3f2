/** A stage that keeps failing is retried, dead-lettered with its history, and re-driven to published. */
import fs from 'node:fs';
import path from 'node:path';
import { openRuntime, type Runtime } from '../../cli/runtime';
import { waitForDocuments } from '../../cli/wait';
import { listDeadLetters } from '../../shared/db/dead-letters';
import { getDocument } from '../../shared/db/documents';
import { redriveDeadLetters, submitFile } from '../../shared/submissions';
import { createTestEnvironment, SAMPLES_DIR, type TestEnvironment } from '../support/environment';

jest.setTimeout(60_000);

describe('retries, dead letters and re-drive', () => {
  let environment: TestEnvironment;
  let runtime: Runtime;

  beforeAll(async () => {
    environment = createTestEnvironment({ GONGKAI_ATTEMPTS: '3', GONGKAI_BACKOFF_MS: '50' });
    runtime = await openRuntime(environment.config);
  });

  afterAll(async () => {
    await runtime?.close();
    await environment?.cleanup();
  });

  test('a missing blob fails ingest three times, then a re-drive publishes it', async () => {
    const bytes = fs.readFileSync(path.join(SAMPLES_DIR, '003_6f6c780c05ed1855.txt'));
    const submission = await submitFile(runtime, { bytes, fileName: '003.txt' });
    const document = await getDocument(runtime.db, submission.documentId);
    const blobPath = path.join(environment.config.blobDir, document!.sha256.slice(0, 2), document!.sha256.slice(2, 4), document!.sha256);
    const hidden = `${blobPath}.hidden`;
    fs.renameSync(blobPath, hidden);

    runtime.startWorkers();
    await waitForDocuments(runtime.db, [submission.documentId], { timeoutMs: 30_000, quiet: true });

    const failed = await getDocument(runtime.db, submission.documentId);
    expect(failed).toMatchObject({ status: 'dead_lettered', current_stage: 'ingest' });
    expect(failed?.error).toContain('ENOENT');
    const [queued] = await runtime.queues.deadLetter.getJobs(['waiting']);
    expect(queued.data).toMatchObject({ documentId: submission.documentId, stage: 'ingest', errorCode: 'TRANSIENT' });
    expect(queued.data.attempts.map((attempt: { attempt: number }) => attempt.attempt)).toEqual([1, 2, 3]);
    const stored = await runtime.db.selectFrom('dead_letters').selectAll().where('document_id', '=', submission.documentId).execute();
    expect(stored).toEqual([
      expect.objectContaining({ stage: 'ingest', round: 0, error_code: 'TRANSIENT', message: expect.stringContaining('ENOENT'), resolved_at: null }),
    ]);
    expect(stored[0].stack).toContain('ENOENT');
    expect(await listDeadLetters(runtime.db, { stage: 'ingest', errorCode: 'TRANSIENT' })).toEqual([
      expect.objectContaining({ documentId: submission.documentId, fileName: '003.txt', attempts: 3 }),
    ]);
    expect(await listDeadLetters(runtime.db, { stage: 'parse' })).toEqual([]);
    const runs = await runtime.db.selectFrom('stage_runs').select(['stage', 'outcome']).where('document_id', '=', submission.documentId).execute();
    expect(runs).toEqual([1, 2, 3].map(() => ({ stage: 'ingest', outcome: 'failed' })));

    fs.renameSync(hidden, blobPath);
    expect(await redriveDeadLetters(runtime, { documentId: submission.documentId })).toEqual([submission.documentId]);
    await waitForDocuments(runtime.db, [submission.documentId], { timeoutMs: 30_000, quiet: true });

    expect(await getDocument(runtime.db, submission.documentId)).toMatchObject({ status: 'published', round: 1, error: null });
    expect(await runtime.queues.deadLetter.getJobCounts('waiting')).toEqual({ waiting: 0 });
    expect(await listDeadLetters(runtime.db)).toEqual([]);
    const history = await runtime.db.selectFrom('dead_letters').select('resolved_at').where('document_id', '=', submission.documentId).execute();
    expect(history).toEqual([{ resolved_at: expect.any(Date) }]);
  });

  test('a file that can never succeed skips the retries', async () => {
    const junk = Buffer.from([0x00, 0xff, 0x13, 0x37, 0x42, 0x00, 0x99, 0x88, 0x77, 0x66]);
    const submission = await submitFile(runtime, { bytes: junk, fileName: 'junk.bin' });
    await waitForDocuments(runtime.db, [submission.documentId], { timeoutMs: 30_000, quiet: true });

    expect(await getDocument(runtime.db, submission.documentId)).toMatchObject({ status: 'dead_lettered', current_stage: 'ingest' });
    const [letter] = await listDeadLetters(runtime.db, { documentId: submission.documentId });
    expect(letter).toMatchObject({ stage: 'ingest', errorCode: 'UNSUPPORTED_MEDIA', attempts: 1 });
  });
});
