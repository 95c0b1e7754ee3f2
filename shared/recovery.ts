/**
 * Work nothing is doing: documents queued or processing with no live job behind them (Redis lost its
 * data, a job failed while Postgres was away, an enqueue never reached Redis). Every worker process
 * sweeps for them periodically (workers/reconciler.ts);
 * `gongkai status --stuck` lists them and `gongkai recover` re-drives them on demand. Each step is
 * idempotent — deterministic job ids, conditional updates — so processes sweeping at once do no harm.
 */
import type { JobType } from 'bullmq';
import type { Kysely } from 'kysely';
import { inFlightDocuments, stillInFlight, type InFlightDocument } from './db/stuck';
import type { Database } from './db/schema';
import { isStage, stageJobId, type Stage } from './pipeline';
import type { PipelineQueues } from './queues';

/** Where a job can be while something will still run it. */
const LIVE_STATES: JobType[] = ['active', 'waiting', 'delayed', 'prioritized', 'waiting-children'];

/** What became of the job a stuck document should have: missing, or finished without moving the document on. */
export type MissingJob = 'missing' | 'failed' | 'completed';

export interface StuckDocument extends InFlightDocument {
  job: MissingJob;
}

export interface StuckWork {
  documents: StuckDocument[];
}

export interface RecoveryDeps {
  db: Kysely<Database>;
  queues: PipelineQueues;
}

/** State younger than this is left alone: a job is enqueued just after its document moves on. */
export const DEFAULT_GRACE_MS = 30_000;

async function liveJobIds(queues: PipelineQueues, stages: Iterable<Stage>): Promise<Map<Stage, Set<string>>> {
  const live = new Map<Stage, Set<string>>();
  for (const stage of stages) {
    // getRanges reads every state in one script, so a job moving between states is not missed.
    live.set(stage, new Set(await queues.stages[stage].getRanges(LIVE_STATES, 0, -1)));
  }
  return live;
}

async function finishedJobState(queues: PipelineQueues, stage: Stage, jobId: string): Promise<MissingJob> {
  const state = await queues.stages[stage].getJobState(jobId);
  return state === 'failed' || state === 'completed' ? state : 'missing';
}

export async function findStuckWork(deps: RecoveryDeps, graceMs = DEFAULT_GRACE_MS): Promise<StuckWork> {
  const inFlight = await inFlightDocuments(deps.db, graceMs);
  const live = await liveJobIds(deps.queues, new Set(inFlight.map((document) => document.stage).filter(isStage)));

  const documents: StuckDocument[] = [];
  for (const document of inFlight) {
    if (!isStage(document.stage)) continue;
    const jobId = stageJobId(document.stage, { documentId: document.id, round: document.round });
    if (live.get(document.stage)?.has(jobId)) continue;
    documents.push({ ...document, job: await finishedJobState(deps.queues, document.stage, jobId) });
  }
  return { documents };
}

export interface Recovered {
  requeued: string[];
}

/** Puts each stuck document back on its stage's queue, as the same job. */
export async function recoverStuckWork(deps: RecoveryDeps, stuck: StuckWork): Promise<Recovered> {
  const requeued: string[] = [];
  for (const document of stuck.documents) {
    // Moved on since it was found (a late job finished it): leave it.
    if (!isStage(document.stage) || !(await stillInFlight(deps.db, document))) continue;
    const job = { documentId: document.id, round: document.round };
    const queue = deps.queues.stages[document.stage];
    const existing = document.job === 'missing' ? undefined : await queue.getJob(stageJobId(document.stage, job));
    // A job that failed without dead-lettering (Postgres was away) gets its attempts back; one that
    // completed runs again and, finding the stage done, only hands the document on.
    if (existing) await existing.retry(document.job === 'failed' ? 'failed' : 'completed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    else await deps.queues.enqueue(document.stage, job);
    requeued.push(document.id);
  }
  return { requeued };
}
