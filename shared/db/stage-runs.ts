/** Queries on stage_runs: one row per try of a stage job, and the document's move from stage to stage. */
import { sql, type Kysely, type Transaction } from 'kysely';
import { PIPELINE_VERSION, STAGE_INPUTS, type Stage } from '../pipeline';
import { pageFromRow } from './pages';
import type { Database, DocumentRow, StageRunOutcome } from './schema';

type Db = Kysely<Database> | Transaction<Database>;

export interface OpenedStageRun<Input> {
  /** The document as it was before this statement. */
  document: DocumentRow;
  /** The stage already completed in this round (a re-run of finished work). */
  completed: boolean;
  /** The run recorded now; null when the document is not (any longer) at this stage and round in flight. */
  runId: string | null;
  /** The stage's input (STAGE_INPUTS): its predecessor's stored output, or the pages. */
  input: Input | null;
}

/**
 * The one statement that opens a stage run: reads the document and whether the stage already
 * completed in this round, marks it processing at this stage and records the attempt (only from this
 * stage and round, like advanceDocument), and loads the stage's input. One round trip, not four.
 */
export async function openStageRun<Input>(
  db: Db,
  run: { documentId: string; stage: Stage; round: number; attempt: number; jobId: string; worker: string },
): Promise<OpenedStageRun<Input> | undefined> {
  const source = STAGE_INPUTS[run.stage];
  const input =
    source === 'pages'
      ? sql`(select coalesce(json_agg(p order by p.page_number), '[]'::json) from pages p where p.document_id = d.id)`
      : source
        ? sql`(select o.output from stage_outputs o where o.document_id = d.id and o.stage = ${source})`
        : sql`null`;
  const result = await sql<DocumentRow & { completed: boolean; run_id: string | null; input: unknown }>`
    with moved as (
      update documents set status = 'processing', current_stage = ${run.stage}, updated_at = now()
      where id = ${run.documentId} and current_stage = ${run.stage} and round = ${run.round} and status in ('queued', 'processing')
      returning id
    ), opened as (
      insert into stage_runs (document_id, stage, round, attempt, job_id, worker, started_at, outcome, error, duration_ms)
      select id, ${run.stage}, ${run.round}, ${run.attempt}, ${run.jobId}, ${run.worker}, now(), 'running', null, null from moved
      returning id
    )
    select d.*,
      exists (select 1 from stage_runs r where r.document_id = d.id and r.stage = ${run.stage} and r.round = ${run.round} and r.outcome = 'completed') as completed,
      (select id from opened) as run_id,
      ${input} as input
    from documents d where d.id = ${run.documentId}`.execute(db);
  const row = result.rows[0];
  if (!row) return undefined;
  const { completed, run_id: runId, input: loaded, ...document } = row;
  const pages = source === 'pages' ? (loaded as Parameters<typeof pageFromRow>[0][]).map(pageFromRow) : null;
  return { document, completed: Boolean(completed), runId: runId === null ? null : String(runId), input: ((pages ?? loaded) as Input | null) ?? null };
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
