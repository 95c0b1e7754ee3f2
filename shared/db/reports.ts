/** Published reports: the one-transaction write and the look-ups validation and the CLI need. */
import type { Insertable, Kysely } from 'kysely';
import type { CanonicalRecord } from '../record';
import type { CellsTable, Database, FindingsTable, ReportsTable } from './schema';

/** Everything publish writes for one document. */
export interface Publication {
  documentId: string;
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

/** Replaces the document's report, cells and findings and marks it published, all or nothing. */
export async function writePublication(db: Kysely<Database>, publication: Publication): Promise<void> {
  const { documentId } = publication;
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('findings').where('document_id', '=', documentId).execute();
    await trx.deleteFrom('cells').where('document_id', '=', documentId).execute();
    await trx.deleteFrom('reports').where('document_id', '=', documentId).execute();
    await trx.insertInto('reports').values(publication.report).execute();
    for (const rows of chunks(publication.cells, ROWS_PER_INSERT)) await trx.insertInto('cells').values(rows).execute();
    for (const rows of chunks(publication.findings, ROWS_PER_INSERT)) await trx.insertInto('findings').values(rows).execute();
    await trx
      .updateTable('documents')
      .set({ status: 'published', current_stage: 'publish', error: null, published_at: new Date(), updated_at: new Date() })
      .where('id', '=', documentId)
      .execute();
  });
}

/** The most recently published record of an agency for a year, for the year-over-year checks. */
export async function findReportRecord(db: Kysely<Database>, agencyKey: string, year: number): Promise<CanonicalRecord | null> {
  const row = await db
    .selectFrom('reports')
    .select('record')
    .where('agency_key', '=', agencyKey)
    .where('year', '=', year)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? (row.record as unknown as CanonicalRecord) : null;
}

export interface DocumentSummary {
  id: string;
  fileName: string;
  status: string;
  stage: string;
  error: string | null;
  agency: string | null;
  year: number | null;
  template: string | null;
  errors: number;
  warnings: number;
  critical: number;
}

export async function summarizeDocuments(db: Kysely<Database>, ids: string[]): Promise<DocumentSummary[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('documents as d')
    .leftJoin('reports as r', 'r.document_id', 'd.id')
    .select((eb) => [
      'd.id',
      'd.file_name',
      'd.status',
      'd.current_stage',
      'd.error',
      'r.agency',
      'r.year',
      'r.template',
      eb
        .selectFrom('findings as f')
        .select((inner) => inner.fn.countAll<number>().as('n'))
        .whereRef('f.document_id', '=', 'd.id')
        .where('f.severity', '=', 'error')
        .as('errors'),
      eb
        .selectFrom('findings as f')
        .select((inner) => inner.fn.countAll<number>().as('n'))
        .whereRef('f.document_id', '=', 'd.id')
        .where('f.severity', '=', 'warning')
        .as('warnings'),
      eb
        .selectFrom('findings as f')
        .select((inner) => inner.fn.countAll<number>().as('n'))
        .whereRef('f.document_id', '=', 'd.id')
        .where('f.severity', '=', 'critical')
        .as('critical'),
    ])
    .where('d.id', 'in', ids)
    .orderBy('d.file_name')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    fileName: row.file_name,
    status: row.status,
    stage: row.current_stage,
    error: row.error,
    agency: row.agency,
    year: row.year,
    template: row.template,
    errors: Number(row.errors ?? 0),
    warnings: Number(row.warnings ?? 0),
    critical: Number(row.critical ?? 0),
  }));
}
