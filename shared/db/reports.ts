/** Published reports: the one-statement write and the look-ups validation and the CLI need. */
import { sql, type Insertable, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { CanonicalRecord, Provenance } from '../record';
import type { Database, FindingsTable, ReportsTable } from './schema';

type Db = Kysely<Database> | Transaction<Database>;

/** Everything publish writes for one document. */
export interface Publication {
  documentId: string;
  /** The document's round this result belongs to: a result of a superseded round is not written. */
  round: number;
  record: CanonicalRecord;
  report: Insertable<ReportsTable>;
  /** In the report's order. */
  cells: PublishedCell[];
  findings: Insertable<FindingsTable>[];
}

/** One cell as publish writes it: its key, its value (the exact decimal where there is one) and where it was read. */
export interface PublishedCell {
  table: string;
  rowKey: string;
  columnKey: string;
  value: string | number | null;
  raw: string;
  unit: string | null;
  provenance: Provenance;
}

/** Where publication writes go: a relation of one column, `id`, holding the document's id while it may be written. */
export type PublicationTarget = RawBuilder<unknown>;

/**
 * Everything a publication writes, as the parts (common table expressions) of one statement that also
 * yields `target`. Each part writes only for the document `target` holds; all read the rows as they
 * were before the statement, so the parts do not see each other's writes. A report of an earlier round
 * (a forced or new-version reprocess, a re-drive) is kept in report_history with its finding count; the
 * report is replaced in place; the document's findings and cells are replaced. The publish stage puts
 * these parts into the statement that completes its run (shared/db/stage-runs.ts), so the whole
 * publication is one statement, whatever the report's size.
 */
export function publicationWrites(publication: Publication, target: PublicationTarget): RawBuilder<unknown> {
  const { round, report } = publication;
  const { record, ...columns } = report;
  const names = Object.keys(columns).map((name) => sql.ref(name));
  const updated = Object.keys(columns).filter((name) => name !== 'document_id');
  return sql`
    kept as (
      insert into report_history (document_id, round, pipeline_version, agency, year, template, finding_count, record, published_at)
      select r.document_id, r.round, r.pipeline_version, r.agency, r.year, r.template,
        (select count(*) from findings f where f.document_id = r.document_id), r.record, r.created_at
      from reports r where r.document_id in (select id from ${target}) and r.round <> ${round}
      on conflict (document_id, round) do nothing
    ),
    report_written as (
      insert into reports (${sql.join(names)}, record, created_at)
      select ${sql.join(names.map((name) => sql`given.${name}`))}, ${record}::jsonb, now()
      from jsonb_populate_record(null::reports, ${JSON.stringify(columns)}::jsonb) as given
      where given.document_id in (select id from ${target})
      on conflict (document_id) do update set
        (${sql.join(updated.map((name) => sql.ref(name)))}, record, created_at) = row(${sql.join(updated.map((name) => sql`excluded.${sql.ref(name)}`))}, excluded.record, excluded.created_at)
    ),
    findings_gone as (delete from findings where document_id in (select id from ${target})),
    findings_written as (
      insert into findings (document_id, rule, severity, message, message_en, cells)
      select t.id, f.rule, f.severity, f.message, f.message_en, f.cells::jsonb
      from ${target} t, jsonb_to_recordset(${JSON.stringify(publication.findings)}::jsonb)
        as f(rule text, severity text, message text, message_en text, cells text)
    ),
    cells_gone as (delete from cell_values where document_id in (select id from ${target})),
    ${cellWrites(publication.cells, target)}`;
}

/**
 * Replaces the document's report, cells and findings in one statement (publicationWrites), only while
 * the document is in the publication's round, its row locked meanwhile. False, writing nothing, when it
 * has moved on to a newer round.
 */
export async function writePublication(db: Db, publication: Publication): Promise<boolean> {
  const target = sql`current_round`;
  const { rows } = await sql<{ id: string }>`
    with current_round as (select id from documents where id = ${publication.documentId} and round = ${publication.round} for update),
    ${publicationWrites(publication, target)}
    select id from current_round`.execute(db);
  return rows.length > 0;
}

/**
 * The parts that write a document's cells (migration 013), numbered from `firstPosition` in the order
 * given: any key not yet named in cell_keys, then every value with its key's id. The cells travel as
 * one JSON parameter, which Postgres unpacks into rows.
 */
function cellWrites(cells: PublishedCell[], target: PublicationTarget, firstPosition = 0): RawBuilder<unknown> {
  const rows = JSON.stringify(
    cells.map((cell, position) => ({
      table_name: cell.table,
      row_key: cell.rowKey,
      column_key: cell.columnKey,
      position: firstPosition + position,
      value: cell.value,
      raw: cell.raw,
      unit: cell.unit,
      page: cell.provenance.page,
      line: cell.provenance.line ?? null,
      start_offset: cell.provenance.start ?? null,
      end_offset: cell.provenance.end ?? null,
      dom_path: cell.provenance.domPath ?? null,
      bbox: cell.provenance.bbox ?? null,
      confidence: cell.provenance.confidence ?? null,
    })),
  );
  // Keys this statement's snapshot lacks are inserted; one another publication inserted meanwhile is
  // not in the snapshot, so its conflict updates it to nothing new, which makes the insert return its id.
  return sql`
    cell_rows as (
      select * from jsonb_to_recordset(${rows}::jsonb) as c(table_name text, row_key text, column_key text, position smallint, value numeric, raw text,
        unit text, page smallint, line integer, start_offset integer, end_offset integer, dom_path text, bbox integer[], confidence real)
      where exists (select 1 from ${target})
    ),
    new_keys as (
      insert into cell_keys (table_name, row_key, column_key)
      select distinct c.table_name, c.row_key, c.column_key from cell_rows c
      where not exists (select 1 from cell_keys k where k.table_name = c.table_name and k.row_key = c.row_key and k.column_key = c.column_key)
      on conflict (table_name, row_key, column_key) do update set table_name = excluded.table_name
      returning id, table_name, row_key, column_key
    ),
    cells_written as (
      insert into cell_values (document_id, key_id, line, start_offset, end_offset, confidence, position, page, value, raw, unit, dom_path, bbox)
      select t.id, k.id, c.line, c.start_offset, c.end_offset, c.confidence, c.position, c.page, c.value, c.raw, c.unit, c.dom_path, c.bbox
      from ${target} t, cell_rows c
      join (select id, table_name, row_key, column_key from cell_keys union all select id, table_name, row_key, column_key from new_keys) k
        on k.table_name = c.table_name and k.row_key = c.row_key and k.column_key = c.column_key
    )`;
}

/** Adds cells after a document's own, numbered from `firstPosition`, in one statement. */
export async function appendCells(db: Db, documentId: string, cells: PublishedCell[], firstPosition: number): Promise<void> {
  const target = sql`document`;
  await sql`with document as (select ${documentId}::uuid as id), ${cellWrites(cells, target, firstPosition)} select 1`.execute(db);
}

export interface ReportVersion {
  round: number;
  pipelineVersion: number;
  agency: string | null;
  year: number | null;
  template: string | null;
  findings: number;
  publishedAt: Date;
  /** Null for the report in force. */
  supersededAt: Date | null;
}

/** Every report a document has had, newest first: the one in force, then those it superseded. */
export async function reportVersions(db: Kysely<Database>, documentId: string): Promise<ReportVersion[]> {
  const current = await db
    .selectFrom('reports as r')
    .select((eb) => [
      'r.round',
      'r.pipeline_version',
      'r.agency',
      'r.year',
      'r.template',
      'r.created_at',
      eb
        .selectFrom('findings as f')
        .select((inner) => inner.fn.countAll<number>().as('n'))
        .whereRef('f.document_id', '=', 'r.document_id')
        .as('findings'),
    ])
    .where('r.document_id', '=', documentId)
    .execute();
  const superseded = await db.selectFrom('report_history').selectAll().where('document_id', '=', documentId).orderBy('round', 'desc').execute();
  return [
    ...current.map((row) => ({
      round: row.round,
      pipelineVersion: row.pipeline_version,
      agency: row.agency,
      year: row.year,
      template: row.template,
      findings: Number(row.findings ?? 0),
      publishedAt: new Date(row.created_at),
      supersededAt: null,
    })),
    ...superseded.map((row) => ({
      round: row.round,
      pipelineVersion: row.pipeline_version,
      agency: row.agency,
      year: row.year,
      template: row.template,
      findings: row.finding_count,
      publishedAt: new Date(row.published_at),
      supersededAt: new Date(row.superseded_at),
    })),
  ];
}

/** The canonical record of the report in force for a document. */
export async function loadReportRecord(db: Kysely<Database>, documentId: string): Promise<CanonicalRecord | null> {
  const row = await db.selectFrom('reports').select('record').where('document_id', '=', documentId).executeTakeFirst();
  return row ? (row.record as unknown as CanonicalRecord) : null;
}

/**
 * The record of an agency (its identity, reports.agency_key) for a year, for the year-over-year checks:
 * the copy that counts (counted_reports), else the most recently published.
 */
export async function findReportRecord(db: Kysely<Database>, agencyKey: string, year: number): Promise<CanonicalRecord | null> {
  const row = await db
    .selectFrom('reports as r')
    .leftJoin('counted_reports as k', 'k.document_id', 'r.document_id')
    .select('r.record')
    .where('r.agency_key', '=', agencyKey)
    .where('r.year', '=', year)
    .orderBy((eb) => eb('k.document_id', 'is not', null), 'desc')
    .orderBy('r.created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? (row.record as unknown as CanonicalRecord) : null;
}
