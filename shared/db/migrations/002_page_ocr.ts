import type { Kysely } from 'kysely';

/** OCR geometry and confidence per page (shared/record.ts OcrPageInfo). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('pages').addColumn('ocr', 'jsonb').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('pages').dropColumn('ocr').execute();
}
