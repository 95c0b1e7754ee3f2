import { sql, type Kysely } from 'kysely';

/**
 * Reprocessing: which pipeline version a document was (or is being) processed with, which round a
 * report came from, and every report a later run superseded, kept whole.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('documents').addColumn('pipeline_version', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  await db.schema
    .alterTable('reports')
    .addColumn('round', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pipeline_version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .createTable('report_history')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('document_id', 'uuid', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('pipeline_version', 'integer', (c) => c.notNull())
    .addColumn('agency', 'text')
    .addColumn('year', 'integer')
    .addColumn('template', 'text')
    .addColumn('finding_count', 'integer', (c) => c.notNull())
    .addColumn('record', 'jsonb', (c) => c.notNull())
    .addColumn('published_at', 'timestamptz', (c) => c.notNull())
    .addColumn('superseded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('report_history_once_per_round', ['document_id', 'round'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('report_history').execute();
  await db.schema.alterTable('reports').dropColumn('round').dropColumn('pipeline_version').execute();
  await db.schema.alterTable('documents').dropColumn('pipeline_version').execute();
}
