import { sql, type Kysely } from 'kysely';

/**
 * One report counts per agency and year. An agency often sends its report more than once (a
 * corrected copy, the same report from two sites); roll-ups and exports must count it once. The one
 * that counts is the one an operator marked, else the report in force of the newest submission.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('report_choices')
    .addColumn('document_id', 'uuid', (c) => c.primaryKey().references('documents.id').onDelete('cascade'))
    .addColumn('chosen_by', 'text', (c) => c.notNull())
    .addColumn('chosen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`
    create view counted_reports as
    select distinct on (r.agency_key, r.year) r.document_id, r.agency_key, r.year, c.document_id is not null as chosen_by_operator
    from reports r
    join documents d on d.id = r.document_id
    left join report_choices c on c.document_id = r.document_id
    where r.agency_key is not null and r.year is not null
    order by r.agency_key, r.year, c.chosen_at desc nulls last, d.submitted_at desc, d.id desc
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop view counted_reports`.execute(db);
  await db.schema.dropTable('report_choices').execute();
}
