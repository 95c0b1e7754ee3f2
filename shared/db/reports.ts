/** Published reports: the one-transaction write and the look-ups validation and the CLI need. */
import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { CanonicalRecord, Provenance } from '../record';
import type { Database, FindingsTable, ReportsTable } from './schema';

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

/**
 * Replaces the document's report, cells and findings, inside the transaction that also marks it
 * published (the publish stage's completion, shared/db/stage-runs.ts). A report from an earlier round
 * (a forced or new-version reprocess, a re-drive) moves to report_history first; one from this round
 * (publish ran twice) is simply replaced. Returns false, writing nothing, when the document has moved
 * on to a newer round meanwhile. Four statements, whatever the report's size.
 */
export async function writePublication(trx: Transaction<Database>, publication: Publication): Promise<boolean> {
  const { documentId, round } = publication;
  if (!(await clearForRound(trx, documentId, round))) return false;
  const { findings } = publication;
  if (findings.length === 0) await trx.insertInto('reports').values(publication.report).execute();
  else await trx.with('report', (cte) => cte.insertInto('reports').values(publication.report)).insertInto('findings').values(findings).execute();
  await insertCells(trx, documentId, publication.cells);
  return true;
}

/**
 * In one statement, only while the document is in this round (its row locked meanwhile): keeps a
 * report of an earlier round in report_history with its finding count, and removes the report, its
 * cells and findings. All parts read the rows as they were before the statement.
 */
async function clearForRound(trx: Transaction<Database>, documentId: string, round: number): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`
    with current_round as (select id from documents where id = ${documentId} and round = ${round} for update),
    kept as (
      insert into report_history (document_id, round, pipeline_version, agency, year, template, finding_count, record, published_at)
      select r.document_id, r.round, r.pipeline_version, r.agency, r.year, r.template,
        (select count(*) from findings f where f.document_id = r.document_id), r.record, r.created_at
      from reports r where r.document_id in (select id from current_round) and r.round <> ${round}
      on conflict (document_id, round) do nothing
    ),
    findings_gone as (delete from findings where document_id in (select id from current_round)),
    cells_gone as (delete from cell_values where document_id in (select id from current_round)),
    report_gone as (delete from reports where document_id in (select id from current_round))
    select id from current_round`.execute(trx);
  return rows.length > 0;
}

/**
 * Writes a document's cells (migration 013), numbered from `firstPosition` in the order given: first
 * any key not yet named in cell_keys, then every value with its key's id, each in one statement. The
 * cells travel as one JSON parameter, which Postgres unpacks into rows, so a report of any size is two
 * statements.
 */
export async function insertCells(trx: Transaction<Database>, documentId: string, cells: PublishedCell[], firstPosition = 0): Promise<void> {
  if (cells.length === 0) return;
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
  const cellRows = sql`jsonb_to_recordset(${rows}::jsonb) as c(table_name text, row_key text, column_key text, position smallint, value numeric, raw text,
    unit text, page smallint, line integer, start_offset integer, end_offset integer, dom_path text, bbox integer[], confidence real)`;
  // Only keys not there yet reach the insert, so the identity is not spent on conflicts.
  await sql`
    insert into cell_keys (table_name, row_key, column_key)
    select distinct c.table_name, c.row_key, c.column_key from ${cellRows}
    where not exists (select 1 from cell_keys k where k.table_name = c.table_name and k.row_key = c.row_key and k.column_key = c.column_key)
    on conflict do nothing`.execute(trx);
  await sql`
    insert into cell_values (document_id, key_id, line, start_offset, end_offset, confidence, position, page, value, raw, unit, dom_path, bbox)
    select ${documentId}, k.id, c.line, c.start_offset, c.end_offset, c.confidence, c.position, c.page, c.value, c.raw, c.unit, c.dom_path, c.bbox
    from ${cellRows} join cell_keys k on k.table_name = c.table_name and k.row_key = c.row_key and k.column_key = c.column_key`.execute(trx);
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
