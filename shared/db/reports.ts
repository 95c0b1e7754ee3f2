/** Published reports: the one-transaction write and the look-ups validation and the CLI need. */
import type { Insertable, Kysely, Transaction } from 'kysely';
import type { CanonicalRecord } from '../record';
import type { CellsTable, Database, FindingsTable, ReportsTable } from './schema';

/** Everything publish writes for one document. */
export interface Publication {
  documentId: string;
  /** The document's round this result belongs to: a result of a superseded round is not written. */
  round: number;
  record: CanonicalRecord;
  report: Insertable<ReportsTable>;
  cells: Insertable<CellsTable>[];
  findings: Insertable<FindingsTable>[];
}

/** Multi-row inserts in chunks keep one statement under Postgres' parameter limit. */
const ROWS_PER_INSERT = 1000;

function chunks<T>(rows: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < rows.length; index += size) result.push(rows.slice(index, index + size));
  return result;
}

/**
 * Replaces the document's report, cells and findings, inside the transaction that also marks it
 * published (the publish stage's completion, shared/db/stage-runs.ts). A report from an earlier round
 * (a forced or new-version reprocess, a re-drive) moves to report_history first; one from this round
 * (publish ran twice) is simply replaced. Returns false, writing nothing, when the document has moved
 * on to a newer round meanwhile.
 */
export async function writePublication(trx: Transaction<Database>, publication: Publication): Promise<boolean> {
  const { documentId } = publication;
  const document = await trx.selectFrom('documents').select('round').where('id', '=', documentId).forUpdate().executeTakeFirst();
  if (!document || document.round !== publication.round) return false;
  await keepSupersededReport(trx, documentId, publication.round);
  await trx.deleteFrom('findings').where('document_id', '=', documentId).execute();
  await trx.deleteFrom('cells').where('document_id', '=', documentId).execute();
  await trx.deleteFrom('reports').where('document_id', '=', documentId).execute();
  await trx.insertInto('reports').values(publication.report).execute();
  for (const rows of chunks(publication.cells, ROWS_PER_INSERT)) await trx.insertInto('cells').values(rows).execute();
  for (const rows of chunks(publication.findings, ROWS_PER_INSERT)) await trx.insertInto('findings').values(rows).execute();
  return true;
}

async function keepSupersededReport(trx: Transaction<Database>, documentId: string, round: number): Promise<void> {
  const previous = await trx.selectFrom('reports').selectAll().where('document_id', '=', documentId).executeTakeFirst();
  if (!previous || previous.round === round) return;
  const findingCount = await trx
    .selectFrom('findings')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('document_id', '=', documentId)
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('report_history')
    .values({
      document_id: documentId,
      round: previous.round,
      pipeline_version: previous.pipeline_version,
      agency: previous.agency,
      year: previous.year,
      template: previous.template,
      finding_count: Number(findingCount.n),
      record: JSON.stringify(previous.record),
      published_at: previous.created_at,
    })
    .onConflict((conflict) => conflict.columns(['document_id', 'round']).doNothing())
    .execute();
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
