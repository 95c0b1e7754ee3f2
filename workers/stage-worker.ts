/**
 * The stages on the job layer (workers/job-worker.ts): a stage job loads its input, calls the stage's
 * handler, stores its output, records its run and moves the document on in one statement, enqueues
 * the next stage, and when the job layer gives up moves the document to the dead-letter queue with its
 * attempt history.
 */
import type { Kysely } from 'kysely';
import type { BlobStore } from '../shared/blob-store';
import type { Config } from '../shared/config';
import { advanceDocument, markDeadLettered } from '../shared/db/documents';
import { completeStageRun, completedOutputKey, completedRun, recordStageRun, stageRunHistory, type CompletionWrites, type StageRunRecord } from '../shared/db/stage-runs';
import { recordDeadLetter } from '../shared/db/dead-letters';
import type { Database } from '../shared/db/schema';
import { stillInFlight } from '../shared/db/stuck';
import { PermanentError, describeError, errorStack, isPermanent } from '../shared/errors';
import { STAGE_INPUTS, StageJobSchema, routeAfter, type Stage, type StageInputs, type StageJob, type StageOutput } from '../shared/pipeline';
import type { PipelineQueues } from '../shared/queues';
import { decodeStageOutput, type EncodedStageOutput, type StageOutputStore } from '../shared/stage-outputs';
import { WaitingChildrenError, type Worker } from 'bullmq';
import { WORKER_NAME, startJobWorker, type JobRun } from './job-worker';

export interface StageContext {
  db: Kysely<Database>;
  blobs: BlobStore;
  outputs: StageOutputStore;
  config: Config;
}

/**
 * A stage's input as the job layer loaded it: its key and its bytes as stored, decoded once, when the
 * handler first asks for the value. A stage that reads in a reader process passes the bytes on as they are.
 */
export class StageInput<S extends Stage> {
  private decoded: StageInputs[S] | undefined;

  constructor(
    readonly key: string | null,
    readonly encoded: Buffer | null,
  ) {}

  get value(): StageInputs[S] {
    if (this.encoded === null) return null as StageInputs[S];
    this.decoded ??= decodeStageOutput(this.encoded) as StageInputs[S];
    return this.decoded;
  }

  /** Whether `output` is this input itself, which is then handed on under its own key. */
  handedOnBy(output: unknown): boolean {
    return this.decoded !== undefined && output === this.decoded;
  }
}

export interface StageResult<S extends Stage> {
  /** What the next stage reads (StageOutputs); publish has none. The input itself, returned as it came, is handed on as it is. */
  output?: StageOutput<S>;
  /** The output as the task that made it encoded and routed it (encodedWithRoute, shared/stage-outputs.ts; a reader process's): stored as it is. */
  encoded?: EncodedStageOutput;
  /** What the stage learnt about the document (ingest: its media type), set as the run completes. */
  document?: { media_type: string };
  /** The stage's Postgres writes, as parts of the one statement that completes its run and hands the document on. */
  writes?: CompletionWrites;
}

/**
 * A stage's thin worker: run the pure core on the stage's input (its predecessor's output, which the
 * job layer loads: STAGE_INPUTS, shared/pipeline.ts) and return what to hand on and what to write.
 * Null: nothing to do (the document is gone, or in another round). Through the run a stage may fan
 * work out to child jobs.
 */
export type StageHandler<S extends Stage> = (job: StageJob, context: StageContext, input: StageInput<S>, run: JobRun<StageJob>) => Promise<StageResult<S> | null>;

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

/** One try of a stage job: when it started, the run it records when it ends, and whether it completed. */
interface StageAttempt {
  startedAt: number;
  run: StageRunRecord | null;
  completed: boolean;
}

/** A try cut off by an outage did no work that counts: no run is recorded, and the document says what it is waiting for. */
async function noteOutage(options: StageWorkerDeps, payload: StageJob, error: unknown): Promise<void> {
  const { stage, context } = options;
  const waiting = `等待服务恢复 / waiting for a service to come back: ${describeError(error)}`;
  await advanceDocument(context.db, payload.documentId, { stage, round: payload.round }, { status: 'processing', stage, error: waiting });
}

async function recordFailedRun(options: StageWorkerDeps, error: unknown, attempt: StageAttempt): Promise<void> {
  if (attempt.run && !attempt.completed) await recordStageRun(options.context.db, attempt.run, 'failed', describeError(error)).catch(() => undefined);
  attempt.run = null;
}

/**
 * The stage's input: by the key its job carries, else (a re-drive, reprocess or recovery enqueued it)
 * by the key its predecessor's last completed run recorded. Undefined when the document is no longer
 * in flight at this stage and round, so there is nothing to do.
 */
async function loadInput<S extends Stage>(options: StageWorkerOptions<S>, payload: StageJob): Promise<StageInput<S> | undefined> {
  const { stage, context } = options;
  const source = STAGE_INPUTS[stage];
  if (!source) return new StageInput(null, null);
  const key = payload.input ?? (await completedOutputKey(context.db, payload.documentId, source));
  if (key) return new StageInput(key, context.outputs.getEncoded(key));
  if (!(await stillInFlight(context.db, { id: payload.documentId, stage, round: payload.round }))) return undefined;
  throw new PermanentError('MISSING_INPUT', `没有保存的 ${source} 阶段输出，请从头重新处理本文档 / no ${source} output is stored for this document; reprocess it from the start`);
}

async function runStageJob<S extends Stage>(options: StageWorkerOptions<S>, run: JobRun<StageJob>, attempt: StageAttempt): Promise<void> {
  const { stage, context } = options;
  const { payload, job } = run;
  const record: StageRunRecord = {
    documentId: payload.documentId,
    stage,
    round: payload.round,
    attempt: job.attemptsMade + 1,
    worker: WORKER_NAME,
    startedAt: attempt.startedAt,
  };
  attempt.run = record;
  const input = await loadInput(options, payload);
  if (!input) return;
  let result: StageResult<S> | null;
  try {
    result = await options.handler(payload, context, input, run);
  } catch (error) {
    // Parked for its child jobs: the job's next run records a new run.
    if (error instanceof WaitingChildrenError) {
      await recordStageRun(context.db, record, 'waiting', null);
      attempt.run = null;
    }
    throw error;
  }
  if (!result) return;

  // The output first (storing it twice only leaves a copy nothing refers to), then in one statement the
  // run, the document's move to the next stage (or to published) and the stage's writes, only if the
  // document was still here; then the next stage's job. A crash between the two leaves a completed run:
  // the re-run only enqueues the job.
  const output = storedOutput(context.outputs, input, result);
  const route = result.encoded?.route ?? routeAfter(stage, result.output ?? null);
  const moved = await completeStageRun(context.db, record, { output, ...route, document: result.document, writes: result.writes });
  attempt.completed = moved;
  if (moved) return handOff(options, payload, route.next, output);
  // A re-run of finished work (the worker died between committing and acknowledging): only make sure
  // the hand-off happened; the successor's job id makes that idempotent.
  const finished = await completedRun(context.db, payload.documentId, stage, payload.round);
  if (finished) await handOff(options, payload, finished.next, finished.output);
}

/** The key of what the stage hands on: its input's own when it handed that on unchanged, else of the output stored now. */
function storedOutput<S extends Stage>(outputs: StageOutputStore, input: StageInput<S>, result: StageResult<S>): string | null {
  if (result.encoded) return outputs.putEncoded(result.encoded.bytes);
  if (result.output === undefined) return null;
  return input.handedOnBy(result.output) ? input.key : outputs.put(result.output);
}

/**
 * Enqueues the next stage's job with this stage's output key. The document already moved there in the
 * statement that completed the run; the successor's deterministic job id makes a second call harmless.
 */
async function handOff(options: StageWorkerDeps, payload: StageJob, next: Stage | null, output: string | null): Promise<void> {
  if (!next) return;
  await options.queues.enqueue(next, { documentId: payload.documentId, round: payload.round, ...(output ? { input: output } : {}) });
}

/**
 * The job will not run again. When it stalled too often its work may have been finished by the
 * worker that lost the lock: then only the hand-off is due. Otherwise the document is dead-lettered.
 */
async function giveUp(options: StageWorkerDeps, payload: StageJob, error: unknown, attempt: StageAttempt | null): Promise<void> {
  if (attempt) await recordFailedRun(options, error, attempt);
  else {
    try {
      const finished = await completedRun(options.context.db, payload.documentId, options.stage, payload.round);
      if (finished) return await handOff(options, payload, finished.next, finished.output);
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
    newAttempt: () => ({ startedAt: Date.now(), run: null, completed: false }),
    handler: (run, attempt) => runStageJob(options, run, attempt),
    onOutage: (payload, error) => noteOutage(options, payload, error),
    onRetry: async (payload, error, attempt) => {
      await recordFailedRun(options, error, attempt);
      await advanceDocument(context.db, payload.documentId, { stage, round: payload.round }, { status: 'processing', stage, error: describeError(error) });
    },
    onGiveUp: (payload, error, attempt) => giveUp(options, payload, error, attempt),
  });
}
