/** Queries on documents, their pages, stage runs and the hand-off between stages. */
import type { Kysely, Transaction } from 'kysely';
import type { ExtractedPage, OcrPageInfo } from '../record';
import type { Database, DocumentRow, DocumentStatus, StageRunOutcome } from './schema';

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
  return update.returningAll().executeTakeFirst();
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

export async function setMediaType(db: Db, id: string, mediaType: string): Promise<void> {
  await db.updateTable('documents').set({ media_type: mediaType }).where('id', '=', id).execute();
}

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
 * Marks a run completed and, when a stage follows, moves the document on to it (only from this stage
 * and round, like advanceDocument), in one statement.
 */
export async function completeStageRun(
  db: Db,
  run: { runId: string; startedAt: number; documentId: string; from: { stage: string; round: number }; next: string | null },
): Promise<void> {
  if (!run.next) return finishStageRun(db, run.runId, 'completed', run.startedAt, null);
  await db
    .with('finished', (cte) =>
      cte
        .updateTable('stage_runs')
        .set({ outcome: 'completed', error: null, finished_at: new Date(), duration_ms: Date.now() - run.startedAt })
        .where('id', '=', run.runId)
        .returning('id'),
    )
    .updateTable('documents')
    .set({ status: 'queued', current_stage: run.next, error: null, updated_at: new Date() })
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

export async function savePages(db: Kysely<Database>, documentId: string, pages: ExtractedPage[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('pages').where('document_id', '=', documentId).execute();
    if (pages.length === 0) return;
    await trx
      .insertInto('pages')
      .values(
        pages.map((page) => ({
          document_id: documentId,
          page_number: page.number,
          text: page.text,
          text_source: page.source,
          needs_ocr: page.needsOcr,
          ocr_reason: page.ocrReason,
          line_origins: page.lineOrigins ? JSON.stringify(page.lineOrigins) : null,
          ocr: page.ocr ? JSON.stringify(page.ocr) : null,
          line_boxes: page.boxes ? JSON.stringify(page.boxes.lines) : null,
          page_width: page.boxes?.width ?? null,
          page_height: page.boxes?.height ?? null,
        })),
      )
      .execute();
  });
}

export async function loadPages(db: Db, documentId: string): Promise<ExtractedPage[]> {
  const rows = await db.selectFrom('pages').selectAll().where('document_id', '=', documentId).orderBy('page_number').execute();
  return rows.map((row) => ({
    number: row.page_number,
    text: row.text,
    source: row.text_source as ExtractedPage['source'],
    needsOcr: row.needs_ocr,
    ocrReason: row.ocr_reason,
    ...(row.line_origins ? { lineOrigins: row.line_origins as unknown as string[] } : {}),
    ...(row.ocr ? { ocr: row.ocr as unknown as OcrPageInfo } : {}),
    ...(row.ocr_error ? { ocrError: row.ocr_error } : {}),
  }));
}

export async function savePageOcr(db: Db, documentId: string, pageNumber: number, read: { text: string; ocr: OcrPageInfo }): Promise<void> {
  await db
    .updateTable('pages')
    .set({ text: read.text, text_source: 'ocr', ocr: JSON.stringify(read.ocr), ocr_error: null })
    .where('document_id', '=', documentId)
    .where('page_number', '=', pageNumber)
    .execute();
}

/** Records (or, with null, clears) why a page could not be read. */
export async function setPageOcrError(db: Db, documentId: string, pageNumber: number | null, error: string | null): Promise<void> {
  let update = db.updateTable('pages').set({ ocr_error: error }).where('document_id', '=', documentId);
  if (pageNumber !== null) update = update.where('page_number', '=', pageNumber);
  await update.execute();
}

export async function saveStageOutput(db: Db, documentId: string, stage: string, output: unknown): Promise<void> {
  const json = JSON.stringify(output);
  await db
    .insertInto('stage_outputs')
    .values({ document_id: documentId, stage, output: json })
    .onConflict((conflict) => conflict.columns(['document_id', 'stage']).doUpdateSet({ output: json, updated_at: new Date() }))
    .execute();
}

export async function loadStageOutput<T>(db: Db, documentId: string, stage: string): Promise<T> {
  const row = await db
    .selectFrom('stage_outputs')
    .select('output')
    .where('document_id', '=', documentId)
    .where('stage', '=', stage)
    .executeTakeFirst();
  if (!row) throw new Error(`no ${stage} output stored for document ${documentId}`);
  return row.output as T;
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
