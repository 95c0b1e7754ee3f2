/**
 * The stages on the job layer (workers/job-worker.ts): a stage job records its run, calls the stage's
 * handler, hands the document to the next stage, and when the job layer gives up moves the document to
 * the dead-letter queue with its attempt history.
 */
import type { Kysely, Transaction } from 'kysely';
import type { BlobStore } from '../shared/blob-store';
import type { Config } from '../shared/config';
import { advanceDocument, markDeadLettered } from '../shared/db/documents';
import { completeStageRun, discardStageRun, finishStageRun, hasCompletedRun, openStageRun, stageRunHistory } from '../shared/db/stage-runs';
import { recordDeadLetter } from '../shared/db/dead-letters';
import type { Database, DocumentRow } from '../shared/db/schema';
import { describeError, errorStack, isPermanent } from '../shared/errors';
import { StageJobSchema, nextStage, type Stage, type StageInputs, type StageJob } from '../shared/pipeline';
import type { PipelineQueues } from '../shared/queues';
import { WaitingChildrenError, type Worker } from 'bullmq';
import { WORKER_NAME, startJobWorker, type JobRun } from './job-worker';

export interface StageContext {
  db: Kysely<Database>;
  blobs: BlobStore;
  config: Config;
}

/** A stage's writes, run in the transaction that completes its run and hands the document on. */
export type StageCommit = (trx: Transaction<Database>) => Promise<void>;

/**
 * A stage's thin worker: load its predecessor's output by document id, run the pure core, and return
 * what to store. The job layer passes what it read in the run's opening statement: the document row
 * as it was when the job started and the stage's input (STAGE_INPUTS, shared/pipeline.ts); and the
 * run, through which a stage may fan work out to child jobs.
 */
export type StageHandler<S extends Stage> = (
  job: StageJob,
  context: StageContext,
  document: DocumentRow,
  input: StageInputs[S],
  run: JobRun<StageJob>,
) => Promise<StageCommit | void>;

interface StageWorkerDeps {
  stage: Stage;
  context: StageContext;
  queues: PipelineQueues;
  redisUrl: string;
}

export interface StageWorkerOptions<S extends Stage> extends StageWorkerDeps {
  stage: S;
  handler: StageHandler<S>;
}

function errorCode(error: unknown): string {
  return isPermanent(error) ? error.code : 'TRANSIENT';
}

/**
 * Dead-letters the document if it is still at this stage in this round (a stalled duplicate may have
 * finished the stage meanwhile): the state change and the Postgres letter in one transaction, then the
 * queue's letter. Each step is idempotent, so the whole can be repeated.
 */
async function deadLetter(options: StageWorkerDeps, job: StageJob, error: unknown): Promise<void> {
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
async function deadLetterPersistently(options: StageWorkerDeps, job: StageJob, error: unknown): Promise<void> {
  for (let delayMs = 500; ; delayMs = Math.min(delayMs * 2, 30_000)) {
    try {
      return await deadLetter(options, job, error);
    } catch (failure) {
      console.error(`[${options.stage}] could not dead-letter ${job.documentId} yet (${describeError(failure)}); retrying in ${delayMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** One try of a stage job: when it started and, once recorded, its stage run. */
interface StageAttempt {
  startedAt: number;
  runId: string | null;
}

/**
 * A try cut off by an outage did no work that counts: its run is dropped (one row per retry would
 * flood the history over a long outage) and the document says what it is waiting for. While Postgres
 * itself is away neither write lands, and the reconciler closes the run later.
 */
async function noteOutage(options: StageWorkerDeps, payload: StageJob, error: unknown, attempt: StageAttempt): Promise<void> {
  const { stage, context } = options;
  if (attempt.runId) await discardStageRun(context.db, attempt.runId);
  attempt.runId = null;
  const waiting = `等待服务恢复 / waiting for a service to come back: ${describeError(error)}`;
  await advanceDocument(context.db, payload.documentId, { stage, round: payload.round }, { status: 'processing', stage, error: waiting });
}

async function closeFailedRun(options: StageWorkerDeps, error: unknown, attempt: StageAttempt): Promise<void> {
  if (attempt.runId) await finishStageRun(options.context.db, attempt.runId, 'failed', attempt.startedAt, describeError(error)).catch(() => undefined);
  attempt.runId = null;
}

async function runStageJob<S extends Stage>(options: StageWorkerOptions<S>, run: JobRun<StageJob>, attempt: StageAttempt): Promise<void> {
  const { stage, context } = options;
  const { payload, job } = run;
  const opened = await openStageRun<StageInputs[S]>(context.db, {
    documentId: payload.documentId,
    stage,
    round: payload.round,
    attempt: job.attemptsMade + 1,
    jobId: String(job.id),
    worker: WORKER_NAME,
  });
  // A job from before a re-drive, for a deleted document, or for one already dead-lettered has nothing left to do.
  if (!opened || opened.document.round !== payload.round || opened.document.status === 'dead_lettered') return;
  // A re-run of finished work (the worker died between committing and acknowledging): only make
  // sure the hand-off happened; the successor's job id makes that idempotent.
  if (opened.completed) return handOff(options, payload);
  // The document is no longer in flight at this stage (it moved on meanwhile): nothing to do here.
  if (!opened.runId) return;
  const runId = opened.runId;
  attempt.runId = runId;
  let commit: StageCommit | void;
  try {
    commit = await options.handler(payload, context, opened.document, opened.input as StageInputs[S], run);
  } catch (error) {
    // Parked for its child jobs: the run waits too, and the job's next run records a new one.
    if (error instanceof WaitingChildrenError) await finishStageRun(context.db, runId, 'waiting', attempt.startedAt, null);
    throw error;
  }

  // The stage's output, the run's completion and the document's move to the next stage (or to
  // published) in one transaction, then the next stage's job. A crash between the two leaves a
  // completed run: the re-run only enqueues the job.
  const next = nextStage(stage);
  await context.db.transaction().execute(async (trx) => {
    if (commit) await commit(trx);
    await completeStageRun(trx, { runId, startedAt: attempt.startedAt, documentId: payload.documentId, from: { stage, round: payload.round }, next });
  });
  attempt.runId = null;
  if (next) await options.queues.enqueue(next, payload);
}

async function handOff(options: StageWorkerDeps, payload: StageJob): Promise<void> {
  const next = nextStage(options.stage);
  if (!next) return;
  await options.queues.enqueue(next, payload);
  await advanceDocument(options.context.db, payload.documentId, { stage: options.stage, round: payload.round }, { status: 'queued', stage: next, error: null });
}

/**
 * The job will not run again. When it stalled too often its work may have been finished by the
 * worker that lost the lock: then only the hand-off is due. Otherwise the document is dead-lettered.
 */
async function giveUp(options: StageWorkerDeps, payload: StageJob, error: unknown, attempt: StageAttempt | null): Promise<void> {
  if (attempt) await closeFailedRun(options, error, attempt);
  else {
    try {
      if (await hasCompletedRun(options.context.db, payload.documentId, options.stage, payload.round)) return await handOff(options, payload);
    } catch {
      // Postgres is away: dead-lettering below waits for it and re-checks the document's stage.
    }
  }
  await deadLetterPersistently(options, payload, error);
}

export function startStageWorker<S extends Stage>(options: StageWorkerOptions<S>): Worker {
  const { stage, context } = options;
  return startJobWorker<StageJob, StageAttempt>({
    queue: stage,
    schema: StageJobSchema,
    policy: context.config.policies[stage],
    queues: options.queues,
    redisUrl: options.redisUrl,
    config: context.config,
    newAttempt: () => ({ startedAt: Date.now(), runId: null }),
    handler: (run, attempt) => runStageJob(options, run, attempt),
    onOutage: (payload, error, attempt) => noteOutage(options, payload, error, attempt),
    onRetry: async (payload, error, attempt) => {
      await closeFailedRun(options, error, attempt);
      await advanceDocument(context.db, payload.documentId, { stage, round: payload.round }, { status: 'processing', stage, error: describeError(error) });
    },
    onGiveUp: (payload, error, attempt) => giveUp(options, payload, error, attempt),
  });
}
