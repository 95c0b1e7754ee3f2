/** The Postgres side of finding stuck work: documents in flight and stage runs still marked running. */
import type { Kysely } from 'kysely';
import type { Database, DocumentStatus } from './schema';

export interface InFlightDocument {
  id: string;
  fileName: string;
  status: DocumentStatus;
  stage: string;
  round: number;
  updatedAt: Date;
}

/** Documents queued or processing whose state has not changed for `olderThanMs`. */
export async function inFlightDocuments(db: Kysely<Database>, olderThanMs: number): Promise<InFlightDocument[]> {
  const rows = await db
    .selectFrom('documents')
    .select(['id', 'file_name', 'status', 'current_stage', 'round', 'updated_at'])
    .where('status', 'in', ['queued', 'processing'])
    .where('updated_at', '<', new Date(Date.now() - olderThanMs))
    .orderBy('updated_at')
    .execute();
  return rows.map((row) => ({ id: row.id, fileName: row.file_name, status: row.status, stage: row.current_stage, round: row.round, updatedAt: new Date(row.updated_at) }));
}

export interface RunningStageRun {
  id: string;
  documentId: string;
  stage: string;
  round: number;
  jobId: string;
  worker: string;
  startedAt: Date;
  /** A later run of the same stage and round exists: the job was picked up again after this run's worker went. */
  superseded: boolean;
}

/** Stage runs still marked running that started more than `olderThanMs` ago. */
export async function runningStageRuns(db: Kysely<Database>, olderThanMs: number): Promise<RunningStageRun[]> {
  const rows = await db
    .selectFrom('stage_runs as r')
    .select(['r.id', 'r.document_id', 'r.stage', 'r.round', 'r.job_id', 'r.worker', 'r.started_at'])
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('stage_runs as later')
            .select('later.id')
            .whereRef('later.document_id', '=', 'r.document_id')
            .whereRef('later.stage', '=', 'r.stage')
            .whereRef('later.round', '=', 'r.round')
            .whereRef('later.started_at', '>', 'r.started_at'),
        )
        .as('superseded'),
    )
    .where('r.outcome', '=', 'running')
    .where('r.started_at', '<', new Date(Date.now() - olderThanMs))
    .orderBy('r.started_at')
    .execute();
  return rows.map((row) => ({
    id: String(row.id),
    documentId: row.document_id,
    stage: row.stage,
    round: row.round,
    jobId: row.job_id,
    worker: row.worker,
    startedAt: new Date(row.started_at),
    superseded: Boolean(row.superseded),
  }));
}

/** Closes a run whose worker is gone; only while it is still marked running. */
export async function closeInterruptedRun(db: Kysely<Database>, runId: string, reason: string): Promise<boolean> {
  const result = await db
    .updateTable('stage_runs')
    .set({ outcome: 'interrupted', error: reason, finished_at: new Date() })
    .where('id', '=', runId)
    .where('outcome', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Whether the document is still where it was seen (same stage, round, and in flight). */
export async function stillInFlight(db: Kysely<Database>, document: { id: string; stage: string; round: number }): Promise<boolean> {
  const row = await db
    .selectFrom('documents')
    .select('id')
    .where('id', '=', document.id)
    .where('current_stage', '=', document.stage)
    .where('round', '=', document.round)
    .where('status', 'in', ['queued', 'processing'])
    .executeTakeFirst();
  return row !== undefined;
}
