/** Queries on the documents table: submitting, rounds, where a document is and its status. */
import type { Kysely, Transaction } from 'kysely';
import type { SubmittedFile } from '../pipeline';
import type { Database, DocumentRow, DocumentStatus } from './schema';

type Db = Kysely<Database> | Transaction<Database>;

export interface SubmittedDocument {
  document: DocumentRow;
  created: boolean;
}

/** Registers a file by content; the same bytes submitted again return the existing document. */
export async function submitDocument(
  db: Db,
  file: { sha256: string; fileName: string; sizeBytes: number; pipelineVersion: number },
): Promise<SubmittedDocument> {
  const inserted = await db
    .insertInto('documents')
    .values({
      sha256: file.sha256,
      file_name: file.fileName,
      size_bytes: file.sizeBytes,
      status: 'queued',
      current_stage: 'ingest',
      media_type: null,
      error: null,
      pipeline_version: file.pipelineVersion,
    })
    .onConflict((conflict) => conflict.column('sha256').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { document: inserted, created: true };
  const existing = await findDocumentBySha256(db, file.sha256);
  if (!existing) throw new Error(`document ${file.sha256} vanished while being submitted`);
  return { document: existing, created: false };
}

export async function getDocument(db: Db, id: string): Promise<DocumentRow | undefined> {
  return db.selectFrom('documents').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The file a document was submitted as, while the document is in this round. */
export async function submittedFile(db: Db, id: string, round: number): Promise<SubmittedFile | undefined> {
  const row = await db.selectFrom('documents').select(['sha256', 'file_name', 'size_bytes']).where('id', '=', id).where('round', '=', round).executeTakeFirst();
  return row && { sha256: row.sha256, name: row.file_name, bytes: row.size_bytes };
}

/** The rounds of documents as they are now, by id: what a re-drive of them compares against. */
export async function documentRounds(db: Db, ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('documents').select(['id', 'round']).where('id', 'in', ids).execute();
  return new Map(rows.map((row) => [row.id, row.round]));
}

export async function findDocumentBySha256(db: Db, sha256: string): Promise<DocumentRow | undefined> {
  return db.selectFrom('documents').selectAll().where('sha256', '=', sha256).executeTakeFirst();
}

/**
 * Starts a new round of the document at a stage, unless somebody else started one since `fromRound`
 * was read: then returns undefined, so two simultaneous re-drives do not run the document twice.
 * With `onlyIfLetterOpen`, also only while that round's dead letter is still open, and with
 * `onlyIfDeadLettered` only while the document is dead-lettered, and with `onlyIfFinished` only while it
 * is published or dead-lettered (a round under way is somebody's re-drive, or the first run, still going):
 * checked in the same statement, so what changed since the caller read it is not re-driven.
 */
export async function startNewRound(
  db: Db,
  id: string,
  fromRound: number,
  start: { stage: string; pipelineVersion: number; onlyIfLetterOpen?: boolean; onlyIfDeadLettered?: boolean; onlyIfFinished?: boolean },
): Promise<DocumentRow | undefined> {
  let update = db
    .updateTable('documents')
    .set({
      status: 'queued',
      current_stage: start.stage,
      error: null,
      round: fromRound + 1,
      pipeline_version: start.pipelineVersion,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .where('round', '=', fromRound);
  if (start.onlyIfDeadLettered) update = update.where('status', '=', 'dead_lettered');
  if (start.onlyIfFinished) update = update.where('status', 'in', ['published', 'dead_lettered']);
  if (start.onlyIfLetterOpen) {
    update = update.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('dead_letters')
          .select('dead_letters.id')
          .whereRef('dead_letters.document_id', '=', 'documents.id')
          .where('dead_letters.round', '=', fromRound)
          .where('dead_letters.resolved_at', 'is', null)
          .where('dead_letters.dismissed_at', 'is', null),
      ),
    );
  }
  // From the start, the scanned pages an earlier round read are read again (from ocr on, they are kept: a re-drive resumes).
  if (start.stage !== 'ingest') return update.returningAll().executeTakeFirst();
  return db
    .with('restarted', () => update.returningAll())
    .with('earlier_pages', (cte) => cte.deleteFrom('pages').where('document_id', 'in', cte.selectFrom('restarted').select('restarted.id')))
    .selectFrom('restarted')
    .selectAll()
    .executeTakeFirst();
}

/** Documents whose result came from an older pipeline version, finished either way, with the round that result is from. */
export async function outdatedDocuments(db: Db, currentVersion: number): Promise<Array<{ id: string; round: number }>> {
  return db
    .selectFrom('documents')
    .select(['id', 'round'])
    .where('pipeline_version', '<', currentVersion)
    .where('status', 'in', ['published', 'dead_lettered'])
    .orderBy('submitted_at')
    .execute();
}

/**
 * Moves a document on only from the stage named, so a late duplicate of an earlier stage (a stalled
 * job re-run after a crash) can never move a document backwards.
 */
export async function advanceDocument(
  db: Db,
  id: string,
  from: { stage: string; round: number },
  to: { status: DocumentStatus; stage: string; error?: string | null },
): Promise<void> {
  await db
    .updateTable('documents')
    .set({ status: to.status, current_stage: to.stage, updated_at: new Date(), ...(to.error !== undefined ? { error: to.error } : {}) })
    .where('id', '=', id)
    .where('current_stage', '=', from.stage)
    .where('round', '=', from.round)
    .where('status', 'in', ['queued', 'processing'])
    .execute();
}

/**
 * Marks the document dead-lettered if it is still at this stage and round and not published; true if
 * it is (again) dead-lettered there, false if it has moved on.
 */
export async function markDeadLettered(db: Db, id: string, at: { stage: string; round: number }, error: string): Promise<boolean> {
  const result = await db
    .updateTable('documents')
    .set({ status: 'dead_lettered', error, updated_at: new Date() })
    .where('id', '=', id)
    .where('current_stage', '=', at.stage)
    .where('round', '=', at.round)
    .where('status', '!=', 'published')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function documentStatuses(db: Db, ids: string[]): Promise<Map<string, DocumentStatus>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('documents').select(['id', 'status']).where('id', 'in', ids).execute();
  return new Map(rows.map((row) => [row.id, row.status]));
}

export async function countDocumentsByStatus(db: Db): Promise<Array<{ status: DocumentStatus; count: number }>> {
  const rows = await db.selectFrom('documents').select((eb) => ['status', eb.fn.countAll<number>().as('count')]).groupBy('status').orderBy('status').execute();
  return rows.map((row) => ({ status: row.status, count: Number(row.count) }));
}

export async function countDocumentsByState(db: Db) {
  return db
    .selectFrom('documents')
    .select((eb) => ['status', 'current_stage', eb.fn.countAll<number>().as('count')])
    .groupBy(['status', 'current_stage'])
    .orderBy('status')
    .orderBy('current_stage')
    .execute();
}
