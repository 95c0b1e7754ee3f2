import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('documents')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('sha256', 'text', (c) => c.notNull().unique())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text')
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('current_stage', 'text', (c) => c.notNull())
    .addColumn('round', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('submitted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('published_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('documents_status_idx').on('documents').columns(['status', 'current_stage']).execute();

  await db.schema
    .createTable('stage_runs')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('document_id', 'uuid', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('worker', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .addColumn('duration_ms', 'integer')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('stage_runs_document_idx').on('stage_runs').columns(['document_id', 'started_at']).execute();

  await db.schema
    .createTable('pages')
    .addColumn('document_id', 'uuid', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('page_number', 'integer', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('text_source', 'text', (c) => c.notNull())
    .addColumn('needs_ocr', 'boolean', (c) => c.notNull())
    .addColumn('ocr_reason', 'text')
    .addColumn('line_origins', 'jsonb')
    .addPrimaryKeyConstraint('pages_pk', ['document_id', 'page_number'])
    .execute();

  await db.schema
    .createTable('stage_outputs')
    .addColumn('document_id', 'uuid', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('output', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('stage_outputs_pk', ['document_id', 'stage'])
    .execute();

  await db.schema
    .createTable('reports')
    .addColumn('document_id', 'uuid', (c) => c.primaryKey().references('documents.id').onDelete('cascade'))
    .addColumn('schema_version', 'integer', (c) => c.notNull())
    .addColumn('agency', 'text')
    .addColumn('agency_key', 'text')
    .addColumn('year', 'integer')
    .addColumn('template', 'text')
    .addColumn('script', 'text', (c) => c.notNull())
    .addColumn('published_on', 'text')
    .addColumn('record', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('reports_agency_year_idx').on('reports').columns(['agency_key', 'year']).execute();

  await db.schema
    .createTable('cells')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('document_id', 'uuid', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('table_name', 'text', (c) => c.notNull())
    .addColumn('row_key', 'text', (c) => c.notNull())
    .addColumn('column_key', 'text', (c) => c.notNull())
    .addColumn('value', 'numeric')
    .addColumn('raw', 'text', (c) => c.notNull())
    .addColumn('unit', 'text')
    .addColumn('provenance', 'jsonb', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('cells_document_idx').on('cells').column('document_id').execute();

  await db.schema
    .createTable('findings')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('document_id', 'uuid', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('cells', 'jsonb', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('findings_document_idx').on('findings').column('document_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['findings', 'cells', 'reports', 'stage_outputs', 'pages', 'stage_runs', 'documents']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
