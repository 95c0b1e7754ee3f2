/** Queries on pages: what ingest extracted from each page, and what OCR read on scanned ones. */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { ExtractedPage, OcrPageInfo } from '../record';
import type { Database, PagesTable } from './schema';

type Db = Kysely<Database> | Transaction<Database>;

/** Replaces the document's pages; inside the ingest stage's completing transaction. */
export async function savePages(trx: Transaction<Database>, documentId: string, pages: ExtractedPage[]): Promise<void> {
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
}

type PageRow = Pick<Selectable<PagesTable>, 'page_number' | 'text' | 'text_source' | 'needs_ocr' | 'ocr_reason' | 'line_origins' | 'ocr' | 'ocr_error'>;

/** A pages row, from a query or from the JSON a stage run's opening statement aggregates (shared/db/stage-runs.ts). */
export function pageFromRow(row: PageRow): ExtractedPage {
  return {
    number: row.page_number,
    text: row.text,
    source: row.text_source as ExtractedPage['source'],
    needsOcr: row.needs_ocr,
    ocrReason: row.ocr_reason,
    ...(row.line_origins ? { lineOrigins: row.line_origins as unknown as string[] } : {}),
    ...(row.ocr ? { ocr: row.ocr as unknown as OcrPageInfo } : {}),
    ...(row.ocr_error ? { ocrError: row.ocr_error } : {}),
  };
}

export async function loadPages(db: Db, documentId: string): Promise<ExtractedPage[]> {
  const rows = await db.selectFrom('pages').selectAll().where('document_id', '=', documentId).orderBy('page_number').execute();
  return rows.map(pageFromRow);
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
