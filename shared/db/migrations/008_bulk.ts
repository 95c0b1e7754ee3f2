import { sql, type Kysely } from 'kysely';

/**
 * Every upload is a batch: what came in, what was accepted and what was refused and why, and the
 * documents it brought (a join table, since the same bytes can come in more than one batch).
 * Dead letters can be dismissed with a reason, or answered with a corrected file.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('upload_batches')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // Null while the upload is still being received.
    .addColumn('received_at', 'timestamptz')
    .addColumn('files', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('accepted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('refused', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();
  await db.schema.createIndex('upload_batches_created_idx').on('upload_batches').column('created_at').execute();
  await db.schema
    .createTable('batch_documents')
    .addColumn('batch_id', 'uuid', (c) => c.notNull().references('upload_batches.id').onDelete('cascade'))
    .addColumn('document_id', 'uuid', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    // The path inside the folder or ZIP it came from; the document keeps only the file name.
    .addColumn('file_path', 'text', (c) => c.notNull())
    .addColumn('created', 'boolean', (c) => c.notNull())
    .addPrimaryKeyConstraint('batch_documents_pk', ['batch_id', 'document_id'])
    .execute();
  await db.schema.createIndex('batch_documents_document_idx').on('batch_documents').column('document_id').execute();
  await db.schema
    .alterTable('dead_letters')
    .addColumn('dismissed_at', 'timestamptz')
    .addColumn('dismissed_by', 'text')
    .addColumn('dismiss_reason', 'text')
    .addColumn('replaced_by_document_id', 'uuid', (c) => c.references('documents.id').onDelete('set null'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('dead_letters')
    .dropColumn('replaced_by_document_id')
    .dropColumn('dismiss_reason')
    .dropColumn('dismissed_by')
    .dropColumn('dismissed_at')
    .execute();
  await db.schema.dropTable('batch_documents').execute();
  await db.schema.dropTable('upload_batches').execute();
}
