/** The Postgres side of finding stuck work: documents in flight. */
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
