/**
 * Queries on pages: the scanned pages of a document in OCR, each as ingest extracted it until its page
 * job writes what it read. Every page, scanned or not, travels in the ocr stage's output (shared/stage-outputs.ts).
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { ExtractedPage, OcrPageInfo } from '../record';
import type { Database, PagesTable } from './schema';

type Db = Kysely<Database> | Transaction<Database>;

/** Writes the pages OCR is to read, for its page jobs; pages already there keep what they hold. */
export async function savePagesToRead(db: Db, documentId: string, pages: ExtractedPage[]): Promise<void> {
  if (pages.length === 0) return;
  await db
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
    .onConflict((conflict) => conflict.columns(['document_id', 'page_number']).doNothing())
    .execute();
}

type PageRow = Pick<Selectable<PagesTable>, 'page_number' | 'text' | 'text_source' | 'needs_ocr' | 'ocr_reason' | 'line_origins' | 'ocr' | 'ocr_error'>;

function pageFromRow(row: PageRow): ExtractedPage {
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
