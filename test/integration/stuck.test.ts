/**
 * Nothing stranded: documents whose jobs Redis lost, whose job failed without a dead letter, or whose
 * stage run's worker is gone are found by findStuckWork and carried on by recoverStuckWork; an outage
 * is waited out without using up the document's attempts.
 */
import fs from 'node:fs';
import { UnrecoverableError, Worker } from 'bullmq';
import { openRuntime, type Runtime } from '../../cli/runtime';
import { waitForDocuments } from '../../cli/wait';
import { InfrastructureError } from '../../shared/errors';
import { stageJobId } from '../../shared/pipeline';
import { findStuckWork, recoverStuckWork } from '../../shared/recovery';
import { deleteKeysMatching, redisOptions } from '../../shared/redis';
import { submitFile } from '../../shared/submissions';
import { handleIngest } from '../../workers/ingest/worker';
import { startStageWorker } from '../../workers/stage-worker';
import { buildWebServer } from '../../web/server';
import { runCli } from '../support/cli';
import { createTestEnvironment, sampleFiles, TEST_REDIS_URL, type TestEnvironment } from '../support/environment';

jest.setTimeout(90_000);

const OPERATOR = 'operator-credential-for-stuck-test';
const operator = { authorization: `Bearer ${OPERATOR}` };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function uniqueReport(index: number): { bytes: Buffer; fileName: string } {
  const seed = sampleFiles().find((file) => file.endsWith('.txt'))!;
  return { bytes: Buffer.concat([fs.readFileSync(seed), Buffer.from(`\n副本 stuck-${index}-${Date.now()}\n`)]), fileName: `stuck-${index}.txt` };
}

describe('stuck work', () => {
  let environment: TestEnvironment;
  let runtime: Runtime;

  beforeAll(async () => {
    environment = createTestEnvironment({ GONGKAI_OPERATOR_TOKEN: OPERATOR });
    runtime = await openRuntime(environment.config);
  });
  afterAll(async () => {
    await runtime?.close();
    await environment?.cleanup();
  });

  test('the overview lists stuck documents and an operator requeues them from there', async () => {
    const ids = [(await submitFile(runtime, uniqueReport(40))).documentId, (await submitFile(runtime, uniqueReport(41))).documentId];
    await deleteKeysMatching(TEST_REDIS_URL, `${environment.config.queuePrefix}:*`);
    // Past the reconciler's grace period, as if Redis had lost the jobs two minutes ago.
    await runtime.db.updateTable('documents').set({ updated_at: new Date(Date.now() - 120_000) }).where('id', 'in', ids).execute();
    const app = await buildWebServer(runtime, { logger: false });
    try {
      const overview = await app.inject({ method: 'GET', url: '/', headers: operator });
      expect(overview.body).toContain('卡住的文档');
      for (const index of [40, 41]) expect(overview.body).toContain(`stuck-${index}.txt`);
      const recovered = await app.inject({ method: 'POST', url: '/recover', headers: operator });
      expect(recovered.statusCode).toBe(303);
      expect((await findStuckWork(runtime)).documents).toEqual([]);
      expect(await runtime.queues.stages.ingest.getJobState(stageJobId('ingest', { documentId: ids[0], round: 0 }))).toBe('waiting');
      expect((await app.inject({ method: 'GET', url: '/', headers: operator })).body).not.toContain('卡住的文档');
    } finally {
      await app.close();
    }
  });

  test('gongkai status --stuck lists them and gongkai recover requeues them', async () => {
    const id = (await submitFile(runtime, uniqueReport(50))).documentId;
    await deleteKeysMatching(TEST_REDIS_URL, `${environment.config.queuePrefix}:*`);
    await runtime.db.updateTable('documents').set({ updated_at: new Date(Date.now() - 120_000) }).where('id', '=', id).execute();

    const listed = runCli(['status', '--stuck'], environment.env);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toContain('无作业 / no job');
    const summary = runCli(['status'], environment.env);
    expect(summary.stdout).toMatch(/卡住的文档 \d+ 份/);

    const recovered = runCli(['recover'], environment.env);
    expect(recovered.status).toBe(0);
    expect(recovered.stdout).toMatch(/已重新排队 [1-9]\d* 份文档/);
    expect(await runtime.queues.stages.ingest.getJobState(stageJobId('ingest', { documentId: id, round: 0 }))).toBe('waiting');
    expect((await findStuckWork(runtime)).documents).toEqual([]);
  });

  test('after Redis loses its data, and after a job failed unrecorded, recovery carries every document to the end', async () => {
    const lost: string[] = [];
    for (let index = 0; index < 3; index++) lost.push((await submitFile(runtime, uniqueReport(index))).documentId);
    // Redis loses everything gongkai had queued.
    await deleteKeysMatching(TEST_REDIS_URL, `${environment.config.queuePrefix}:*`);

    // A job that failed for good without a dead letter (as when Postgres was away while it failed).
    const failed = (await submitFile(runtime, uniqueReport(9))).documentId;
    const failer = new Worker('ingest', async () => {
      throw new UnrecoverableError('simulated failure with nobody to record it');
    }, { connection: redisOptions(TEST_REDIS_URL), prefix: environment.config.queuePrefix });
    for (let waited = 0; (await runtime.queues.stages.ingest.getJobState(stageJobId('ingest', { documentId: failed, round: 0 }))) !== 'failed'; waited++) {
      if (waited > 100) throw new Error('the failing worker did not fail the job');
      await sleep(50);
    }
    await failer.close();
    await sleep(20);

    const everything = await findStuckWork(runtime, 0);
    // The overview test's documents lost their jobs in this wipe too; they are recovered along.
    const mine = new Set([...lost, failed]);
    const stuck = { ...everything, documents: everything.documents.filter((document) => mine.has(document.id)) };
    expect(new Map(stuck.documents.map((document) => [document.id, document.job]))).toEqual(
      new Map([...lost.map((id) => [id, 'missing'] as const), [failed, 'failed'] as const]),
    );
    const recovered = await recoverStuckWork(runtime, everything);
    expect(recovered.requeued.filter((id) => mine.has(id)).sort()).toEqual([...lost, failed].sort());
    // Nothing is stuck any more: each document has a live job again.
    expect((await findStuckWork(runtime, 0)).documents).toEqual([]);

    runtime.startWorkers();
    const outcome = await waitForDocuments(runtime.db, [...lost, failed], { timeoutMs: 60_000, quiet: true });
    expect(outcome).toEqual({ published: 4, deadLettered: 0, unfinished: 0 });
  });
});

describe('an outage', () => {
  let environment: TestEnvironment;
  let runtime: Runtime;

  beforeAll(async () => {
    // Two attempts: an outage that lasts three tries would dead-letter the document if it used them up.
    environment = createTestEnvironment({ GONGKAI_ATTEMPTS: '2' });
    runtime = await openRuntime(environment.config);
  });
  afterAll(async () => {
    await runtime?.close();
    await environment?.cleanup();
  });

  test('is waited out without using the document’s attempts', async () => {
    let outages = 3;
    const waitingNotes: Array<string | null> = [];
    const worker = startStageWorker({
      stage: 'ingest',
      context: { db: runtime.db, blobs: runtime.blobs, outputs: runtime.outputs, config: runtime.config },
      queues: runtime.queues,
      redisUrl: runtime.redis.url,
      handler: async (job, context, input, run) => {
        if (outages-- > 0) {
          // While it waits, the document says why.
          if (outages < 2) waitingNotes.push((await runtime.db.selectFrom('documents').select('error').where('id', '=', job.documentId).executeTakeFirstOrThrow()).error);
          throw new InfrastructureError('postgres', 'connect ECONNREFUSED 127.0.0.1:5432');
        }
        return handleIngest(job, context, input, run);
      },
    });
    try {
      const documentId = (await submitFile(runtime, uniqueReport(30))).documentId;
      for (let waited = 0; ; waited++) {
        const document = await runtime.db.selectFrom('documents').select(['current_stage', 'status']).where('id', '=', documentId).executeTakeFirstOrThrow();
        if (document.current_stage !== 'ingest') break;
        if (waited > 600) throw new Error('ingest never finished');
        await sleep(50);
      }
      const runs = await runtime.db.selectFrom('stage_runs').select(['stage', 'outcome', 'attempt']).where('document_id', '=', documentId).execute();
      // The tries the outage cut off leave no runs behind; the one that worked is attempt 1. A text report has no page to OCR.
      expect(outages).toBe(-1);
      expect(runs).toHaveLength(2);
      expect(runs).toEqual(
        expect.arrayContaining([
          { stage: 'ingest', outcome: 'completed', attempt: 1 },
          { stage: 'ocr', outcome: 'skipped', attempt: 0 },
        ]),
      );
      expect(waitingNotes).toEqual([expect.stringContaining('等待服务恢复'), expect.stringContaining('ECONNREFUSED')]);
      // The document moves on inside the handler; BullMQ marks the job completed just after.
      const jobId = stageJobId('ingest', { documentId, round: 0 });
      for (let waited = 0; (await runtime.queues.stages.ingest.getJobState(jobId)) !== 'completed'; waited++) {
        if (waited > 200) throw new Error('the ingest job never completed');
        await sleep(50);
      }
      const job = await runtime.queues.stages.ingest.getJob(jobId);
      // BullMQ counts the try that completed, and only that one.
      expect(job?.attemptsMade).toBe(1);
      const document = await runtime.db.selectFrom('documents').select(['status', 'current_stage']).where('id', '=', documentId).executeTakeFirstOrThrow();
      expect(document).toEqual({ status: 'processing', current_stage: 'normalize' });
    } finally {
      await worker.close();
    }
  });
});
