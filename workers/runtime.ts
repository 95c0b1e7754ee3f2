/**
 * The one job layer every stage runs on (after Immich's job service): it validates the payload,
 * records the stage run, calls the stage's handler, hands the document to the next stage, and on a
 * permanent error or the last retry moves it to the dead-letter queue with its attempt history.
 */
import os from 'node:os';
import { UnrecoverableError, WaitingChildrenError, Worker, type Job } from 'bullmq';
import type { Kysely } from 'kysely';
import type { BlobStore } from '../shared/blob-store';
import type { Config } from '../shared/config';
import {
  advanceDocument,
  finishStageRun,
  markDeadLettered,
  hasCompletedRun,
  beginStageRun,
  completeStageRun,
  discardStageRun,
  stageJobState,
  stageRunHistory,
} from '../shared/db/documents';
import { recordDeadLetter } from '../shared/db/dead-letters';
import type { Database, DocumentRow } from '../shared/db/schema';
import { describeError, errorStack, isInfrastructureError, isPermanent } from '../shared/errors';
import { shouldWaitOut, waitOutOutage } from './infrastructure-retry';
import { StageJobSchema, nextStage, queueName, stagePolicy, type Stage, type StageJob } from '../shared/pipeline';
import type { PipelineQueues } from '../shared/queues';
import { redisOptions } from '../shared/redis';

export interface StageContext {
  db: Kysely<Database>;
  blobs: BlobStore;
  config: Config;
}

/** What a handler returns when it fanned work out: the job waits for these pages, then runs again. */
export interface StageFanOut {
  waitForPages: number[];
}

/**
 * A stage's thin worker: load inputs by document id, run the pure core, store its output. The job
 * layer passes the document row it already read, as it was when the job started.
 */
export type StageHandler = (job: StageJob, context: StageContext, document: DocumentRow) => Promise<StageFanOut | void>;

export interface StageWorkerOptions {
  stage: Stage;
  handler: StageHandler;
  context: StageContext;
  queues: PipelineQueues;
  redisUrl: string;
  concurrency?: number;
}

const STALLED_TOO_OFTEN = /stalled more than allowable limit/;

export const WORKER_NAME = `${os.hostname()}:${process.pid}`;

function errorCode(error: unknown): string {
  return isPermanent(error) ? error.code : 'TRANSIENT';
}

/**
 * Dead-letters the document if it is still at this stage in this round (a stalled duplicate may have
 * finished the stage meanwhile): the state change and the Postgres letter in one transaction, then the
 * queue's letter. Each step is idempotent, so the whole can be repeated.
 */
async function deadLetter(options: StageWorkerOptions, job: StageJob, error: unknown): Promise<void> {
  const { stage, context, queues } = options;
  const message = describeError(error);
  const history = await stageRunHistory(context.db, job.documentId, stage, job.round);
  const letter = {
    documentId: job.documentId,
    round: job.round,
    stage,
    errorCode: errorCode(error),
    error: message,
    attempts: history.map((run) => ({
      attempt: run.attempt,
      error: run.error ?? '',
      at: new Date(run.started_at).toISOString(),
    })),
  };
  const stillHere = await context.db.transaction().execute(async (trx) => {
    if (!(await markDeadLettered(trx, job.documentId, { stage, round: job.round }, message))) return false;
    await recordDeadLetter(trx, letter, errorStack(error));
    return true;
  });
  if (stillHere) await queues.deadLetterDocument(letter);
}

/** Keeps trying while Postgres or Redis is away: a document must not be left neither failed nor done. */
async function deadLetterPersistently(options: StageWorkerOptions, job: StageJob, error: unknown): Promise<void> {
  for (let delayMs = 500; ; delayMs = Math.min(delayMs * 2, 30_000)) {
    try {
      return await deadLetter(options, job, error);
    } catch (failure) {
      console.error(`[${options.stage}] could not dead-letter ${job.documentId} yet (${describeError(failure)}); retrying in ${delayMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** One try of a stage job: its attempt number and, once recorded, its stage run. */
interface StageAttempt {
  number: number;
  startedAt: number;
  runId: string | null;
}

/**
 * Every failure of a job, wherever it happens (reading the document's state included), ends one of
 * three ways: an outage is waited out without using an attempt; a permanent error or the last attempt
 * dead-letters the document; any other error is retried by BullMQ with backoff.
 */
async function processStageJob(options: StageWorkerOptions, job: Job, token: string | undefined): Promise<void> {
  const { stage, context } = options;
  const parsed = StageJobSchema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid ${stage} job ${job.id}: ${parsed.error.message}`);
  const payload = parsed.data;
  const attempt: StageAttempt = { number: job.attemptsMade + 1, startedAt: Date.now(), runId: null };
  try {
    await runStageJob(options, payload, job, token, attempt);
  } catch (error) {
    if (error instanceof WaitingChildrenError) throw error;
    if (shouldWaitOut(job, error, context.config.infrastructureRetryMs)) {
      await noteOutage(context, payload, stage, attempt, error).catch(() => undefined);
      await waitOutOutage(job, token, error, stage);
    }
    await failAttempt(options, payload, job, attempt, error);
  }
}

/**
 * A try cut off by an outage did no work that counts: its run is dropped (one row per retry would
 * flood the history over a long outage) and the document says what it is waiting for. While Postgres
 * itself is away neither write lands, and the reconciler closes the run later.
 */
async function noteOutage(context: StageContext, payload: StageJob, stage: Stage, attempt: StageAttempt, error: unknown): Promise<void> {
  if (attempt.runId) await discardStageRun(context.db, attempt.runId);
  const waiting = `等待服务恢复 / waiting for a service to come back: ${describeError(error)}`;
  await advanceDocument(context.db, payload.documentId, { stage, round: payload.round }, { status: 'processing', stage, error: waiting });
}

async function runStageJob(options: StageWorkerOptions, payload: StageJob, job: Job, token: string | undefined, attempt: StageAttempt): Promise<void> {
  const { stage, context } = options;
  const state = await stageJobState(context.db, { documentId: payload.documentId, stage, round: payload.round });
  // A job from before a re-drive, for a deleted document, or for one already dead-lettered has nothing left to do.
  if (!state || state.document.round !== payload.round || state.document.status === 'dead_lettered') return;
  // A re-run of finished work (the worker died between committing and acknowledging): only make
  // sure the hand-off happened; the successor's job id makes that idempotent.
  if (state.completed) return handOff(options, payload);

  const runId = await beginStageRun(context.db, {
    documentId: payload.documentId,
    stage,
    round: payload.round,
    attempt: attempt.number,
    jobId: String(job.id),
    worker: WORKER_NAME,
  });
  attempt.runId = runId;
  await runHandler(options, payload, state.document, job, token, () => finishStageRun(context.db, runId, 'waiting', attempt.startedAt, null));

  // The run's completion and the document's move to the next stage in one statement, then the next
  // stage's job. A crash between the two leaves a completed run: the re-run only enqueues the job.
  const next = nextStage(stage);
  await completeStageRun(context.db, { runId, startedAt: attempt.startedAt, documentId: payload.documentId, from: { stage, round: payload.round }, next });
  attempt.runId = null;
  if (next) await options.queues.enqueue(next, payload);
}

async function failAttempt(options: StageWorkerOptions, payload: StageJob, job: Job, attempt: StageAttempt, error: unknown): Promise<never> {
  const { stage, context } = options;
  if (attempt.runId) await finishStageRun(context.db, attempt.runId, 'failed', attempt.startedAt, describeError(error)).catch(() => undefined);
  const lastAttempt = attempt.number >= (job.opts.attempts ?? stagePolicy(stage, context.config.retryOverrides).attempts);
  if (isPermanent(error) || lastAttempt) {
    await deadLetterPersistently(options, payload, error);
    throw new UnrecoverableError(describeError(error));
  }
  await advanceDocument(context.db, payload.documentId, { stage, round: payload.round }, { status: 'processing', stage, error: describeError(error) }).catch(() => undefined);
  throw error;
}

/**
 * Runs the handler; when it fans pages out, adds them as children and parks the job until they are
 * done (BullMQ then runs it again). If the children had already finished, the handler runs again now.
 */
async function runHandler(
  options: StageWorkerOptions,
  payload: StageJob,
  document: DocumentRow,
  job: Job,
  token: string | undefined,
  onWait: () => Promise<void>,
): Promise<void> {
  let fanOut = await options.handler(payload, options.context, document);
  for (let round = 0; fanOut && fanOut.waitForPages.length > 0; round++) {
    if (round > 1) throw new Error(`pages ${fanOut.waitForPages.join(', ')} finished without a result`);
    await options.queues.enqueueOcrPages(payload, fanOut.waitForPages, job);
    if (token && (await job.moveToWaitingChildren(token))) {
      await onWait();
      throw new WaitingChildrenError();
    }
    fanOut = await options.handler(payload, options.context, document);
  }
}

async function handOff(options: StageWorkerOptions, payload: StageJob): Promise<void> {
  const next = nextStage(options.stage);
  if (!next) return;
  await options.queues.enqueue(next, payload);
  await advanceDocument(options.context.db, payload.documentId, { stage: options.stage, round: payload.round }, { status: 'queued', stage: next, error: null });
}

async function settleStalledJob(options: StageWorkerOptions, payload: StageJob, error: Error): Promise<void> {
  try {
    if (await hasCompletedRun(options.context.db, payload.documentId, options.stage, payload.round)) return await handOff(options, payload);
  } catch {
    // Postgres is away: dead-lettering below waits for it and re-checks the document's stage.
  }
  await deadLetterPersistently(options, payload, error);
}

export function startStageWorker(options: StageWorkerOptions): Worker {
  const concurrency = options.concurrency ?? stagePolicy(options.stage).concurrency;
  const worker = new Worker(queueName(options.stage), (job, token) => processStageJob(options, job, token), {
    connection: redisOptions(options.redisUrl),
    prefix: options.context.config.queuePrefix,
    concurrency,
    name: WORKER_NAME,
    lockDuration: options.context.config.lockDurationMs,
    stalledInterval: options.context.config.lockDurationMs,
    // Re-running a stalled job is safe (finished work is detected from stage_runs), so stalls get the
    // same allowance as failures.
    maxStalledCount: stagePolicy(options.stage, options.context.config.retryOverrides).attempts,
  });
  // Errors are recorded per job; an 'error' event without a listener would crash the process.
  // Redis going away is logged once per outage (and its return once), not once per reconnect attempt.
  worker.on('error', (error) => (isInfrastructureError(error) ? options.queues.outage.lost(error) : console.error(`[${options.stage}] worker error: ${describeError(error)}`)));
  // BullMQ fails a job that stalled too often without calling the processor. Its work may have been
  // finished by the worker that lost the lock: then only the hand-off is due; otherwise dead-letter it.
  worker.on('failed', (job, error) => {
    const payload = StageJobSchema.safeParse(job?.data);
    if (!payload.success || !STALLED_TOO_OFTEN.test(error.message)) return;
    void settleStalledJob(options, payload.data, error);
  });
  return worker;
}
