/** Queries on stage_runs: one row per try of a stage job, and the document's move from stage to stage. */
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import { PIPELINE_VERSION, isStage, type Stage } from '../pipeline';
import type { Database, StageRunOutcome } from './schema';

type Db = Kysely<Database> | Transaction<Database>;

/** One try of a stage job, recorded when it ends. */
export interface StageRunRecord {
  documentId: string;
  stage: Stage;
  round: number;
  attempt: number;
  worker: string;
  startedAt: number;
}

function runRow(run: StageRunRecord, outcome: Exclude<StageRunOutcome, 'running'>, error: string | null, output: string | null) {
  const now = Date.now();
  return {
    document_id: run.documentId,
    stage: run.stage,
    round: run.round,
    attempt: run.attempt,
    worker: run.worker,
    started_at: new Date(run.startedAt),
    finished_at: new Date(now),
    duration_ms: now - run.startedAt,
    outcome,
    error,
    output,
  };
}

/** A stage passed over (routeAfter, shared/pipeline.ts) as its predecessor completed: no try and no duration, the predecessor's output handed on. */
function skippedRow(run: StageRunRecord, stage: Stage, output: string | null) {
  return { ...runRow({ ...run, startedAt: Date.now() }, 'skipped', null, output), stage, attempt: 0, duration_ms: null };
}

/**
 * A stage's own writes, as parts (common table expressions) of the statement that completes its run:
 * `moved` is the relation that holds the document's id only when it moved on.
 */
export type CompletionWrites = (moved: RawBuilder<unknown>) => RawBuilder<unknown>;

/**
 * Records the run as completed with its output and moves the document on, in one statement, only from
 * this stage and round while it is in flight (like advanceDocument): to the next stage, or after the
 * last one to published; with what the stage learnt about the document, and the stage's own writes.
 * The stages passed over on the way (routeAfter, shared/pipeline.ts) are recorded as skipped runs with
 * the same output, which a re-drive of the stage after them reads. False, writing nothing, when the
 * document is elsewhere (a late duplicate job, a newer round, dead-lettered or deleted).
 */
export async function completeStageRun(
  db: Db,
  run: StageRunRecord,
  result: { output: string | null; next: Stage | null; skipped: Stage[]; document?: { media_type: string }; writes?: CompletionWrites },
): Promise<boolean> {
  const now = new Date();
  const changes = {
    ...(result.next
      ? { status: 'processing' as const, current_stage: result.next, error: null, updated_at: now }
      : { status: 'published' as const, error: null, pipeline_version: PIPELINE_VERSION, published_at: now, updated_at: now }),
    ...result.document,
  };
  const runs = [runRow(run, 'completed', null, result.output), ...result.skipped.map((stage) => skippedRow(run, stage, result.output))];
  const moved = sql`moved`;
  const { rows } = await sql<{ id: string }>`
    with moved as (
      update documents set ${sql.join(Object.entries(changes).map(([column, value]) => sql`${sql.ref(column)} = ${value}`))}
      where id = ${run.documentId} and current_stage = ${run.stage} and round = ${run.round} and status in ('queued', 'processing')
      returning id
    ),
    ${sql.join(
      runs.map(
        (row, index) => sql`${sql.raw(`run_${index}`)} as (
      insert into stage_runs (document_id, stage, round, attempt, worker, started_at, finished_at, duration_ms, outcome, error, output)
      select id, ${row.stage}, ${row.round}, ${row.attempt}, ${row.worker}, ${row.started_at}, ${row.finished_at}, ${row.duration_ms}, ${row.outcome}, ${row.error}, ${row.output}
      from moved
    )`,
      ),
      sql`,
    `,
    )}${result.writes ? sql`,
    ${result.writes(moved)}` : sql``}
    select id from moved`.execute(db);
  return rows.length > 0;
}

/** Records a try that did not complete: it failed, or it waits for the child jobs it fanned out. */
export async function recordStageRun(db: Db, run: StageRunRecord, outcome: 'failed' | 'waiting', error: string | null): Promise<void> {
  await db.insertInto('stage_runs').values(runRow(run, outcome, error, null)).execute();
}

/** The output key of the document's last completed or skipped run of `stage`, in any round; null when there is none. */
export async function completedOutputKey(db: Db, documentId: string, stage: Stage): Promise<string | null> {
  const row = await db
    .selectFrom('stage_runs')
    .select('output')
    .where('document_id', '=', documentId)
    .where('stage', '=', stage)
    .where('outcome', 'in', ['completed', 'skipped'])
    .where('output', 'is not', null)
    .orderBy('finished_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.output ?? null;
}

/**
 * The stage's completed run in this round while the document is still in it, with the stage the run's
 * completion moved the document to (null once published): a re-run of finished work then only hands
 * the document on.
 */
export async function completedRun(db: Db, documentId: string, stage: Stage, round: number): Promise<{ output: string | null; next: Stage | null } | undefined> {
  const row = await db
    .selectFrom('stage_runs as r')
    .innerJoin('documents as d', (join) => join.onRef('d.id', '=', 'r.document_id').onRef('d.round', '=', 'r.round'))
    .select(['r.output', 'd.current_stage', 'd.status'])
    .where('r.document_id', '=', documentId)
    .where('r.stage', '=', stage)
    .where('r.round', '=', round)
    .where('r.outcome', '=', 'completed')
    .where('d.status', '!=', 'dead_lettered')
    .executeTakeFirst();
  return row && { output: row.output, next: row.status !== 'published' && isStage(row.current_stage) ? row.current_stage : null };
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
