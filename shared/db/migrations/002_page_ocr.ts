import type { Kysely } from 'kysely';

/** OCR per page: geometry and confidence (shared/record.ts OcrPageInfo), or why the page could not be read. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('pages').addColumn('ocr', 'jsonb').addColumn('ocr_error', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('pages').dropColumn('ocr').dropColumn('ocr_error').execute();
}
