import { sql, type Kysely } from 'kysely';

/**
 * Findings in two languages, and names sorted as people read them.
 *
 * `findings.message` is Chinese from now on and `message_en` its English; rows stored before keep
 * their one (English) message and a null `message_en`.
 *
 * `gongkai_natural_key(name)` is the key lists sort names by, compared under the "C" collation: every
 * run of digits becomes its length (three places) and its digits, leading zeros dropped, so numbers
 * compare by size — 第10区 before 第100区, file2 before file10. An ICU collation with numeric ordering
 * would do the same, but embedded PGlite has no ICU (it accepts `provider = icu` and sorts bytewise),
 * and the quick start runs on it. Computing the key while sorting costs seconds on 50,000 names, so
 * it is stored beside the name: `documents.file_name_sort` and `reports.agency_sort`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('findings').addColumn('message_en', 'text').execute();
  await sql`
    create function gongkai_natural_key(name text) returns text language sql immutable parallel safe as $$
      select string_agg(case when part ~ '^[0-9]' then lpad(length(ltrim(part, '0'))::text, 3, '0') || ltrim(part, '0') else lower(part) end, '' order by position)
      from regexp_matches(name, '[0-9]+|[^0-9]+', 'g') with ordinality as match(parts, position), lateral (select parts[1] as part) as piece
    $$
  `.execute(db);
  await sql`alter table documents add column file_name_sort text collate "C" generated always as (gongkai_natural_key(file_name)) stored`.execute(db);
  await sql`alter table reports add column agency_sort text collate "C" generated always as (gongkai_natural_key(agency)) stored`.execute(db);
  await db.schema.createIndex('documents_file_name_sort_idx').on('documents').column('file_name_sort').execute();
  await db.schema.createIndex('reports_agency_sort_idx').on('reports').column('agency_sort').execute();
  // The documents list filters on a document's findings by rule and severity.
  await db.schema.createIndex('findings_rule_idx').on('findings').columns(['rule', 'document_id']).execute();
  await db.schema.createIndex('findings_severity_idx').on('findings').columns(['severity', 'document_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('findings_severity_idx').execute();
  await db.schema.dropIndex('findings_rule_idx').execute();
  await db.schema.alterTable('reports').dropColumn('agency_sort').execute();
  await db.schema.alterTable('documents').dropColumn('file_name_sort').execute();
  await sql`drop function gongkai_natural_key(text)`.execute(db);
  await db.schema.alterTable('findings').dropColumn('message_en').execute();
}
