/** Upload batches: what one upload brought, what it refused and why, and how its documents are doing. */
import { sql, type Kysely } from 'kysely';
import type { Database, DocumentStatus } from './schema';

export interface Refusal {
  /** The path as uploaded (inside its folder or ZIP); empty for a refusal of the rest of the request. */
  path: string;
  /** A code (web/uploads.ts RefusalReason) the pages say in words (web/views/upload.ts). */
  reason: string;
  detail: string;
}

/** A document's state as a batch shows it: its status, or what a person did with its dead letter. */
export type BatchDocumentState = DocumentStatus | 'dismissed' | 'replaced';

export interface BatchSummary {
  id: string;
  createdBy: string;
  createdAt: Date;
  /** Null while the upload is still coming in. */
  receivedAt: Date | null;
  files: number;
  accepted: number;
  skipped: number;
  refused: Refusal[];
  /** Documents per state and stage. */
  counts: Array<{ state: BatchDocumentState; stage: string; count: number }>;
}

export interface BatchDocumentRow {
  documentId: string;
  filePath: string;
  fileName: string;
  created: boolean;
  state: BatchDocumentState;
  stage: string;
  error: string | null;
}

export async function createBatch(db: Kysely<Database>, createdBy: string): Promise<string> {
  const row = await db.insertInto('upload_batches').values({ created_by: createdBy, refused: '[]' }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** False when the document is already in the batch (the same bytes twice in one upload). */
export async function addBatchDocument(
  db: Kysely<Database>,
  batchId: string,
  entry: { documentId: string; position: number; filePath: string; created: boolean },
): Promise<boolean> {
  const inserted = await db
    .insertInto('batch_documents')
    .values({ batch_id: batchId, document_id: entry.documentId, position: entry.position, file_path: entry.filePath, created: entry.created })
    .onConflict((conflict) => conflict.columns(['batch_id', 'document_id']).doNothing())
    .returning('document_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function finishBatch(
  db: Kysely<Database>,
  batchId: string,
  outcome: { files: number; accepted: number; skipped: number; refused: Refusal[] },
): Promise<void> {
  await db
    .updateTable('upload_batches')
    .set({ received_at: new Date(), files: outcome.files, accepted: outcome.accepted, skipped: outcome.skipped, refused: JSON.stringify(outcome.refused) })
    .where('id', '=', batchId)
    .execute();
}

/** Dismissed and replaced count for the current round's letter only: a re-drive starts the document afresh. */
const documentState = sql<BatchDocumentState>`case
  when d.status = 'dead_lettered' and exists (select 1 from dead_letters l where l.document_id = d.id and l.round = d.round and l.replaced_by_document_id is not null) then 'replaced'
  when d.status = 'dead_lettered' and exists (select 1 from dead_letters l where l.document_id = d.id and l.round = d.round and l.dismissed_at is not null) then 'dismissed'
  else d.status end`;

export async function getBatch(db: Kysely<Database>, batchId: string): Promise<BatchSummary | undefined> {
  const batch = await db.selectFrom('upload_batches').selectAll().where('id', '=', batchId).executeTakeFirst();
  if (!batch) return undefined;
  const counts = await db
    .selectFrom('batch_documents as b')
    .innerJoin('documents as d', 'd.id', 'b.document_id')
    .select([documentState.as('state'), 'd.current_stage as stage', (eb) => eb.fn.countAll<number>().as('count')])
    .where('b.batch_id', '=', batchId)
    .groupBy([documentState, 'd.current_stage'])
    .execute();
  return {
    id: batch.id,
    createdBy: batch.created_by,
    createdAt: new Date(batch.created_at),
    receivedAt: batch.received_at ? new Date(batch.received_at) : null,
    files: batch.files,
    accepted: batch.accepted,
    skipped: batch.skipped,
    refused: batch.refused as unknown as Refusal[],
    counts: counts.map((row) => ({ state: row.state, stage: row.stage, count: Number(row.count) })),
  };
}

/** The batch's documents in upload order; the ones that need a person (dead-lettered) first when asked. */
export async function batchDocuments(
  db: Kysely<Database>,
  batchId: string,
  page: { limit: number; offset: number; state?: BatchDocumentState },
): Promise<BatchDocumentRow[]> {
  let query = db
    .selectFrom('batch_documents as b')
    .innerJoin('documents as d', 'd.id', 'b.document_id')
    .select(['b.document_id', 'b.file_path', 'd.file_name', 'b.created', documentState.as('state'), 'd.current_stage', 'd.error'])
    .where('b.batch_id', '=', batchId);
  if (page.state) query = query.where(documentState, '=', page.state);
  const rows = await query.orderBy('b.position').limit(page.limit).offset(page.offset).execute();
  return rows.map((row) => ({
    documentId: row.document_id,
    filePath: row.file_path,
    fileName: row.file_name,
    created: row.created,
    state: row.state,
    stage: row.current_stage,
    error: row.error,
  }));
}

/** A batch as the list shows it: its refusals counted, its documents summed by outcome. */
export interface BatchListRow extends Pick<BatchSummary, 'id' | 'createdBy' | 'createdAt' | 'receivedAt' | 'files' | 'accepted'> {
  refused: number;
  published: number;
  deadLettered: number;
  inFlight: number;
}

/** The latest batches first, one page of them. */
export async function listBatches(db: Kysely<Database>, page: { limit: number; offset: number }): Promise<BatchListRow[]> {
  const rows = await db
    .selectFrom('upload_batches as u')
    .leftJoin('batch_documents as b', 'b.batch_id', 'u.id')
    .leftJoin('documents as d', 'd.id', 'b.document_id')
    .select([
      'u.id',
      'u.created_by',
      'u.created_at',
      'u.received_at',
      'u.files',
      'u.accepted',
      sql<number>`jsonb_array_length(u.refused)`.as('refused'),
      sql<number>`count(*) filter (where d.status = 'published')`.as('published'),
      sql<number>`count(*) filter (where d.status = 'dead_lettered')`.as('dead_lettered'),
      sql<number>`count(*) filter (where d.status in ('queued', 'processing'))`.as('in_flight'),
    ])
    .groupBy('u.id')
    .orderBy('u.created_at', 'desc')
    .orderBy('u.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
    receivedAt: row.received_at ? new Date(row.received_at) : null,
    files: row.files,
    accepted: row.accepted,
    refused: Number(row.refused),
    published: Number(row.published),
    deadLettered: Number(row.dead_lettered),
    inFlight: Number(row.in_flight),
  }));
}

export async function countBatches(db: Kysely<Database>): Promise<number> {
  const { total } = await db.selectFrom('upload_batches').select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  return Number(total);
}
