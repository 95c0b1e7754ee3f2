import type { Kysely } from 'kysely';

/**
 * Where each page's text was printed (shared/page-boxes.ts): per line, its runs' character ranges and
 * boxes, and the page size in the same units, so the source view draws a value's box on the page.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('pages')
    .addColumn('line_boxes', 'jsonb')
    .addColumn('page_width', 'double precision')
    .addColumn('page_height', 'double precision')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('pages').dropColumn('line_boxes').dropColumn('page_width').dropColumn('page_height').execute();
}
