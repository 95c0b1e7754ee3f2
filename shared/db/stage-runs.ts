/** Queries on stage_runs: one row per try of a stage job, and the document's move from stage to stage. */
import type { Kysely, Transaction } from 'kysely';
import { PIPELINE_VERSION } from '../pipeline';
import type { Database, DocumentRow, StageRunOutcome } from './schema';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Marks the document as processing at this stage (only from this stage and round, like
 * advanceDocument) and records the attempt, in one statement: one round trip per stage job, not two.
 */
export async function beginStageRun(
  db: Db,
  run: { documentId: string; stage: string; round: number; attempt: number; jobId: string; worker: string },
): Promise<string> {
  const row = await db
    .with('moved', (cte) =>
      cte
        .updateTable('documents')
        .set({ status: 'processing', current_stage: run.stage, updated_at: new Date() })
        .where('id', '=', run.documentId)
        .where('current_stage', '=', run.stage)
        .where('round', '=', run.round)
        .where('status', 'in', ['queued', 'processing'])
        .returning('id'),
    )
    .insertInto('stage_runs')
    .values({
      document_id: run.documentId,
      stage: run.stage,
      round: run.round,
      attempt: run.attempt,
      job_id: run.jobId,
      worker: run.worker,
      started_at: new Date(),
      outcome: 'running',
      error: null,
      duration_ms: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return String(row.id);
}

/**
 * Marks a run completed and moves the document on, only from this stage and round (like
 * advanceDocument), in one statement: to the next stage, or after the last one to published.
 */
export async function completeStageRun(
  db: Db,
  run: { runId: string; startedAt: number; documentId: string; from: { stage: string; round: number }; next: string | null },
): Promise<void> {
  const now = new Date();
  const moved = run.next
    ? { status: 'queued' as const, current_stage: run.next, error: null, updated_at: now }
    : { status: 'published' as const, error: null, pipeline_version: PIPELINE_VERSION, published_at: now, updated_at: now };
  await db
    .with('finished', (cte) =>
      cte
        .updateTable('stage_runs')
        .set({ outcome: 'completed', error: null, finished_at: now, duration_ms: Date.now() - run.startedAt })
        .where('id', '=', run.runId)
        .returning('id'),
    )
    .updateTable('documents')
    .set(moved)
    .where('id', '=', run.documentId)
    .where('current_stage', '=', run.from.stage)
    .where('round', '=', run.from.round)
    .where('status', 'in', ['queued', 'processing'])
    .execute();
}

export async function finishStageRun(db: Db, runId: string, outcome: Exclude<StageRunOutcome, 'running'>, startedAt: number, error: string | null): Promise<void> {
  await db
    .updateTable('stage_runs')
    .set({ outcome, error, finished_at: new Date(), duration_ms: Date.now() - startedAt })
    .where('id', '=', runId)
    .execute();
}

/** Removes a run that did nothing (a try an outage cut off before it could work). */
export async function discardStageRun(db: Db, runId: string): Promise<void> {
  await db.deleteFrom('stage_runs').where('id', '=', runId).execute();
}

/** The document a stage job names, and whether this stage already completed in its round (one round trip). */
export async function stageJobState(
  db: Db,
  job: { documentId: string; stage: string; round: number },
): Promise<{ document: DocumentRow; completed: boolean } | undefined> {
  const row = await db
    .selectFrom('documents as d')
    .selectAll('d')
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('stage_runs as r')
            .select('r.id')
            .whereRef('r.document_id', '=', 'd.id')
            .where('r.stage', '=', job.stage)
            .where('r.round', '=', job.round)
            .where('r.outcome', '=', 'completed'),
        )
        .as('completed'),
    )
    .where('d.id', '=', job.documentId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { completed, ...document } = row;
  return { document, completed: Boolean(completed) };
}

export async function hasCompletedRun(db: Db, documentId: string, stage: string, round: number): Promise<boolean> {
  const row = await db
    .selectFrom('stage_runs')
    .select('id')
    .where('document_id', '=', documentId)
    .where('stage', '=', stage)
    .where('round', '=', round)
    .where('outcome', '=', 'completed')
    .executeTakeFirst();
  return row !== undefined;
}

export async function stageRunHistory(db: Db, documentId: string, stage: string, round: number) {
  return db
    .selectFrom('stage_runs')
    .select(['attempt', 'error', 'started_at', 'outcome'])
    .where('document_id', '=', documentId)
    .where('stage', '=', stage)
    .where('round', '=', round)
    .orderBy('started_at')
    .execute();
}
