/** Re-drives from several callers at once (two shells, two browser tabs) start one new round between them. */
import fs from 'node:fs';
import path from 'node:path';
import { waitForDocuments } from '../../cli/wait';
import { getDocument } from '../../shared/db/documents';
import { reportVersions } from '../../shared/db/reports';
import { PIPELINE_VERSION } from '../../shared/pipeline';
import { redriveDeadLetters, reprocessDocuments, restartDocument, submitFile } from '../../shared/submissions';
import { retryDocument } from '../../web/actions';
import { buildWebServer } from '../../web/server';
import { runCli } from '../support/cli';
import { SAMPLES_DIR } from '../support/environment';
import { pipelineUnderTest } from '../support/pipeline';

jest.setTimeout(90_000);

const CALLERS = 5;
const OPERATOR = { authorization: 'Bearer operator-credential-for-redrive-test' };

describe('concurrent re-drives', () => {
  const pipeline = pipelineUnderTest({ GONGKAI_ATTEMPTS: '1', GONGKAI_BACKOFF_MS: '50', GONGKAI_OPERATOR_TOKEN: 'operator-credential-for-redrive-test' });
  const db = () => pipeline.runtime().db;
  const finish = (ids: string[]) => waitForDocuments(db(), ids, { timeoutMs: 60_000, quiet: true });
  const rounds = async (ids: string[]) => Promise.all(ids.map(async (id) => (await getDocument(db(), id))!.round));
  const letters = (ids: string[]) =>
    db().selectFrom('dead_letters').select(['document_id', 'round', 'resolved_at']).where('document_id', 'in', ids).orderBy('document_id').orderBy('round').execute();
  const enqueuedFor = (enqueue: jest.SpyInstance, ids: string[]) =>
    enqueue.mock.calls.map(([, job]) => (job as { documentId: string }).documentId).filter((id) => ids.includes(id)).sort();

  /** Files no stage can read: each is dead-lettered at ingest on its first attempt, in every round. */
  async function deadLettered(count: number, tag: string): Promise<string[]> {
    const ids: string[] = [];
    for (let index = 0; index < count; index++) {
      const junk = Buffer.from([0x00, 0xff, 0x13, 0x37, ...Buffer.from(`${tag}-${index}`)]);
      ids.push((await submitFile(pipeline.runtime(), { bytes: junk, fileName: `${tag}-${index}.bin` })).documentId);
    }
    await finish(ids);
    await waitForLetters(ids, 0);
    return ids;
  }

  /** The letter is written after the document is marked dead-lettered, so wait for it too. */
  async function waitForLetters(ids: string[], round: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    while ((await db().selectFrom('dead_letters').select('id').where('document_id', 'in', ids).where('round', '=', round).execute()).length < ids.length) {
      if (Date.now() > deadline) throw new Error(`dead letters of round ${round} not written`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Holds new rounds at ingest (no worker takes them) while `during` runs. */
  async function withIngestPaused(during: () => Promise<void>): Promise<void> {
    const ingest = pipeline.runtime().queues.stages.ingest;
    await ingest.pause();
    try {
      await during();
    } finally {
      await ingest.resume();
    }
  }
  /** The held round looks as if a worker had begun it, as when a late caller comes after the worker. */
  const markTakenUp = (id: string) => db().updateTable('documents').set({ status: 'processing' }).where('id', '=', id).execute();
  const markQueued = (id: string) => db().updateTable('documents').set({ status: 'queued' }).where('id', '=', id).execute();
  const cli = (args: string[]) => runCli(args, pipeline.environment().env);

  afterEach(() => jest.restoreAllMocks());

  test('dlq retry --all from five callers at once re-drives each letter once', async () => {
    const ids = await deadLettered(3, 'redrive');
    const enqueue = jest.spyOn(pipeline.runtime().queues, 'enqueue');

    const redriven = await Promise.all(Array.from({ length: CALLERS }, () => redriveDeadLetters(pipeline.runtime(), {})));

    expect(redriven.flat().sort()).toEqual([...ids].sort());
    expect(enqueuedFor(enqueue, ids)).toEqual([...ids].sort());
    await finish(ids);
    await waitForLetters(ids, 1);
    expect(await rounds(ids)).toEqual([1, 1, 1]);
    // The round-0 letters are resolved; the new round failed again and has its own open letter.
    expect(await letters(ids)).toEqual(
      [...ids].sort().flatMap((id) => [
        { document_id: id, round: 0, resolved_at: expect.any(Date) },
        { document_id: id, round: 1, resolved_at: null },
      ]),
    );
  });

  test('a letter dismissed before the re-drive reaches it is not re-driven', async () => {
    const [id] = await deadLettered(1, 'dismissed');
    await db().updateTable('dead_letters').set({ dismissed_at: new Date(), dismissed_by: 'test', dismiss_reason: 'gone' }).where('document_id', '=', id).execute();

    expect(await restartDocument(pipeline.runtime(), { id, round: 0 }, 'ingest', { onlyIfLetterOpen: true })).toBeUndefined();
    expect(await getDocument(db(), id)).toMatchObject({ round: 0, status: 'dead_lettered' });
  });

  test('retry from five pages at once starts one round', async () => {
    const [id] = await deadLettered(1, 'retry');
    // The page refuses to retry a permanent failure; call this one transient so the retry is offered.
    await db().updateTable('dead_letters').set({ error_code: 'TRANSIENT' }).where('document_id', '=', id).execute();
    const enqueue = jest.spyOn(pipeline.runtime().queues, 'enqueue');

    const results = await Promise.all(Array.from({ length: CALLERS }, () => retryDocument(pipeline.runtime(), id)));

    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok)).toEqual(Array.from({ length: CALLERS - 1 }, () => expect.objectContaining({ status: 409 })));
    expect(enqueuedFor(enqueue, [id])).toEqual([id]);
    await finish([id]);
    expect(await rounds([id])).toEqual([1]);
  });

  test('reprocess --outdated from five callers at once starts one round each', async () => {
    const ids = await deadLettered(2, 'reprocess');
    await db().updateTable('documents').set({ pipeline_version: PIPELINE_VERSION - 1 }).where('id', 'in', ids).execute();
    const enqueue = jest.spyOn(pipeline.runtime().queues, 'enqueue');

    const restarted = await Promise.all(Array.from({ length: CALLERS }, () => reprocessDocuments(pipeline.runtime(), { outdated: true })));

    expect(restarted.flat().sort()).toEqual([...ids].sort());
    expect(enqueuedFor(enqueue, ids)).toEqual([...ids].sort());
    await finish(ids);
    expect(await rounds(ids)).toEqual([1, 1]);
  });

  test('ingest --force of the same file from five callers at once starts one round', async () => {
    const file = { bytes: fs.readFileSync(path.join(SAMPLES_DIR, '003_6f6c780c05ed1855.txt')), fileName: '003.txt' };
    const { documentId } = await submitFile(pipeline.runtime(), file);
    await finish([documentId]);
    const enqueue = jest.spyOn(pipeline.runtime().queues, 'enqueue');

    const submissions = await Promise.all(Array.from({ length: CALLERS }, () => submitFile(pipeline.runtime(), file, { force: true })));

    expect(submissions.filter((submission) => submission.reprocessed)).toHaveLength(1);
    // Late callers see the new round pending and enqueue its job again, which its fixed job id makes one job.
    // The callers only enqueue ingest; the workers may already be handing the round on to later stages.
    const jobs = new Set(enqueue.mock.calls.filter(([stage]) => stage === 'ingest').map(([stage, job]) => `${stage} ${job.documentId} ${job.round}`));
    expect([...jobs]).toEqual([`ingest ${documentId} 1`]);
    await finish([documentId]);
    expect(await getDocument(db(), documentId)).toMatchObject({ round: 1, status: 'published' });
    expect(await reportVersions(db(), documentId)).toHaveLength(2);
  });

  test('reprocess --document from five callers at once starts one round; a later one leaves the round under way alone', async () => {
    const [id] = await deadLettered(1, 'reprocess-document');
    await withIngestPaused(async () => {
      const enqueue = jest.spyOn(pipeline.runtime().queues, 'enqueue');

      const restarted = await Promise.all(Array.from({ length: CALLERS }, () => reprocessDocuments(pipeline.runtime(), { documentIds: [id] })));

      expect(restarted.flat()).toEqual([id]);
      expect(enqueuedFor(enqueue, [id])).toEqual([id]);
      // A shell that reads the document after the first one restarted it (queued, then taken up by a worker).
      expect(await reprocessDocuments(pipeline.runtime(), { documentIds: [id] })).toEqual([]);
      await markTakenUp(id);
      expect(await reprocessDocuments(pipeline.runtime(), { documentIds: [id] })).toEqual([]);
      const late = cli(['reprocess', '--document', id, '--no-wait']);
      expect(late.status).toBe(0);
      expect(late.stderr).toContain(`${id}: 已由他人重新处理或仍在处理中（第 1 轮，processing），未再启动 / already re-driven or still being processed (round 1, processing); not started again`);
      expect(late.stderr).toContain('reprocessing 0 document(s)');
      expect(enqueuedFor(enqueue, [id])).toEqual([id]);
      await markQueued(id);
    });
    await finish([id]);
    expect(await rounds([id])).toEqual([1]);
  });

  test('ingest --force after a worker took up the forced round does not start another', async () => {
    const sample = path.join(SAMPLES_DIR, '000_9d33212acc5db30e.txt');
    const file = { bytes: fs.readFileSync(sample), fileName: path.basename(sample) };
    const { documentId } = await submitFile(pipeline.runtime(), file);
    await finish([documentId]);
    await withIngestPaused(async () => {
      const forced = await Promise.all(Array.from({ length: CALLERS }, () => submitFile(pipeline.runtime(), file, { force: true })));
      expect(forced.filter((submission) => submission.reprocessed)).toHaveLength(1);
      expect(forced.filter((submission) => submission.alreadyUnderWay)).toHaveLength(CALLERS - 1);
      await markTakenUp(documentId);
      const enqueue = jest.spyOn(pipeline.runtime().queues, 'enqueue');

      expect(await submitFile(pipeline.runtime(), file, { force: true })).toMatchObject({ reprocessed: false, alreadyUnderWay: true, round: 1, status: 'processing' });
      const late = cli(['ingest', '--force', '--no-wait', sample]);
      expect(late.status).toBe(0);
      expect(late.stderr).toContain('已由他人重新处理或仍在处理中（第 1 轮，processing），未再启动 / already re-driven or still being processed (round 1, processing); not started again');
      expect(enqueue).not.toHaveBeenCalled();
      expect(await getDocument(db(), documentId)).toMatchObject({ round: 1 });
      await markQueued(documentId);
    });
    await finish([documentId]);
    expect(await getDocument(db(), documentId)).toMatchObject({ round: 1, status: 'published' });
    expect(await reportVersions(db(), documentId)).toHaveLength(2);
  });

  test('the web retry from five operators who saw the same round starts one round; a stale page is told so', async () => {
    const [id] = await deadLettered(1, 'web-retry');
    await db().updateTable('dead_letters').set({ error_code: 'TRANSIENT' }).where('document_id', '=', id).execute();
    const app = await buildWebServer(pipeline.runtime(), { logger: false });
    try {
      await withIngestPaused(async () => {
        const enqueue = jest.spyOn(pipeline.runtime().queues, 'enqueue');

        const answers = await Promise.all(
          Array.from({ length: CALLERS }, () => app.inject({ method: 'POST', url: `/api/documents/${id}/retry?round=0`, headers: OPERATOR })),
        );

        expect(answers.map((answer) => answer.statusCode).sort()).toEqual([202, 409, 409, 409, 409]);
        for (const answer of answers.filter((one) => one.statusCode === 409)) {
          expect(answer.json()).toEqual({ error: 'already re-driven by somebody else: the document is now in round 1', errorZh: '已由他人重新处理：这个文档现在是第 1 轮。' });
        }
        expect(enqueuedFor(enqueue, [id])).toEqual([id]);

        // The document page and the dead-letters page send the round they showed with their forms.
        const page = await app.inject({ url: `/documents/${id}`, headers: { ...OPERATOR, accept: 'text/html' } });
        expect(page.body).not.toContain('data-action="retry"');
        for (const url of [`/documents/${id}/retry`, `/dead-letters/${id}/retry`, `/documents/${id}/reprocess`]) {
          const stale = await app.inject({
            method: 'POST',
            url,
            headers: { ...OPERATOR, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
            payload: 'round=0',
          });
          expect(stale.statusCode).toBe(409);
          expect(stale.body).toContain('已由他人重新处理：这个文档现在是第 1 轮。');
        }
        expect(enqueuedFor(enqueue, [id])).toEqual([id]);
      });
      await finish([id]);
      await waitForLetters([id], 1);
      expect(await rounds([id])).toEqual([1]);

      await db().updateTable('dead_letters').set({ error_code: 'TRANSIENT' }).where('document_id', '=', id).execute();
      const retryForm = (await app.inject({ url: `/documents/${id}`, headers: { ...OPERATOR, accept: 'text/html' } })).body;
      expect(retryForm).toMatch(/action="\/documents\/[^"]+\/retry"[^>]*>.*<input type="hidden" name="round" value="1">/);
    } finally {
      await app.close();
    }
  });
});
