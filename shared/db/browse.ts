/** What the web pages and the JSON API read: document search, a document's runs and cells, submissions per agency and year. */
import { sql, type Kysely } from 'kysely';
import type { ExpectedAgency } from '../expected-agencies';
import { deadLetterHistory } from './dead-letters';
import { reportVersions } from './reports';
import type { Provenance } from '../record';
import type { Database, DocumentStatus } from './schema';

export interface DocumentSearch {
  ids?: string[];
  agency?: string;
  year?: number;
  status?: DocumentStatus;
  fileName?: string;
  limit: number;
  offset: number;
  /** Most recently changed first (the default), or by file name. */
  order?: 'recent' | 'fileName';
}

export interface DocumentListRow {
  id: string;
  fileName: string;
  status: DocumentStatus;
  stage: string;
  error: string | null;
  agency: string | null;
  year: number | null;
  template: string | null;
  errors: number;
  warnings: number;
  critical: number;
  updatedAt: Date;
}

/** `like` patterns match the text literally. */
function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

export async function searchDocuments(db: Kysely<Database>, search: DocumentSearch): Promise<{ total: number; rows: DocumentListRow[] }> {
  let query = db.selectFrom('documents as d').leftJoin('reports as r', 'r.document_id', 'd.id');
  if (search.ids) query = query.where('d.id', 'in', search.ids);
  if (search.agency) query = query.where('r.agency', 'like', containing(search.agency));
  if (search.year) query = query.where('r.year', '=', search.year);
  if (search.status) query = query.where('d.status', '=', search.status);
  if (search.fileName) query = query.where('d.file_name', 'like', containing(search.fileName));
  const { total } = await query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  const severityCount = (severity: string) =>
    sql<number>`(select count(*) from findings f where f.document_id = d.id and f.severity = ${severity})`.as(`${severity}_findings`);
  const rows = await query
    .select(['d.id', 'd.file_name', 'd.status', 'd.current_stage', 'd.error', 'd.updated_at', 'r.agency', 'r.year', 'r.template'])
    .select([severityCount('error'), severityCount('warning'), severityCount('critical')])
    .orderBy(search.order === 'fileName' ? 'd.file_name' : 'd.updated_at', search.order === 'fileName' ? 'asc' : 'desc')
    .orderBy('d.id')
    .limit(search.limit)
    .offset(search.offset)
    .execute();
  return {
    total: Number(total),
    rows: rows.map((row) => ({
      id: row.id,
      fileName: row.file_name,
      status: row.status,
      stage: row.current_stage,
      error: row.error,
      agency: row.agency,
      year: row.year,
      template: row.template,
      errors: Number(row.error_findings),
      warnings: Number(row.warning_findings),
      critical: Number(row.critical_findings),
      updatedAt: new Date(row.updated_at),
    })),
  };
}

/** The given documents with their report's agency, year and template and their finding counts, by file name. */
export async function summarizeDocuments(db: Kysely<Database>, ids: string[]): Promise<DocumentListRow[]> {
  if (ids.length === 0) return [];
  return (await searchDocuments(db, { ids, limit: ids.length, offset: 0, order: 'fileName' })).rows;
}

export interface StageRunRow {
  stage: string;
  round: number;
  attempt: number;
  outcome: string;
  worker: string;
  startedAt: Date;
  durationMs: number | null;
  error: string | null;
}

/** Every attempt of every stage, in the order they ran: the document's timeline. */
export async function stageTimeline(db: Kysely<Database>, documentId: string): Promise<StageRunRow[]> {
  const rows = await db.selectFrom('stage_runs').selectAll().where('document_id', '=', documentId).orderBy('started_at').orderBy('id').execute();
  return rows.map((row) => ({
    stage: row.stage,
    round: row.round,
    attempt: row.attempt,
    outcome: row.outcome,
    worker: row.worker,
    startedAt: new Date(row.started_at),
    durationMs: row.duration_ms,
    error: row.error,
  }));
}

/** A document's past: every stage attempt, every dead letter, every report (the pages and the API show the same). */
export async function documentHistory(db: Kysely<Database>, documentId: string) {
  const [timeline, deadLetters, reports] = await Promise.all([stageTimeline(db, documentId), deadLetterHistory(db, documentId), reportVersions(db, documentId)]);
  return { timeline, deadLetters, reports };
}

/** Where one published cell was read, and its page's text, for the provenance view. */
export async function cellSource(
  db: Kysely<Database>,
  documentId: string,
  cellKey: string,
): Promise<{ raw: string; provenance: Provenance; pageText: string | null; textSource: string | null } | undefined> {
  const [table, ...rest] = cellKey.split('.');
  const column = rest.pop();
  if (!table || !column) return undefined;
  // Legacy keys are `legacy.<label>` for this year's figure and `legacy.<label>.cumulative` for the 历年累计 one.
  const legacyColumn = column === 'cumulative' ? 'cumulative' : 'value';
  if (table === 'legacy' && legacyColumn === 'value') rest.push(column);
  const cell = await db
    .selectFrom('cells')
    .select(['raw', 'provenance'])
    .where('document_id', '=', documentId)
    .where('table_name', '=', table)
    .where('row_key', '=', rest.join('.'))
    .where('column_key', '=', table === 'legacy' ? legacyColumn : column)
    .executeTakeFirst();
  if (!cell) return undefined;
  const provenance = cell.provenance as unknown as Provenance;
  const page = await db
    .selectFrom('pages')
    .select(['text', 'text_source'])
    .where('document_id', '=', documentId)
    .where('page_number', '=', provenance.page)
    .executeTakeFirst();
  return { raw: cell.raw, provenance, pageText: page?.text ?? null, textSource: page?.text_source ?? null };
}

export type SubmissionState = 'published' | 'with_errors' | 'in_progress' | 'dead_lettered';

export interface SubmissionsMatrix {
  years: number[];
  agencies: Array<{ agency: string; region: string | null; expected: boolean; byYear: Record<number, { state: SubmissionState; documents: number }> }>;
  /** Dead-lettered or unfinished documents whose agency is not known (they failed before parse). */
  unattributed: Array<{ status: DocumentStatus; count: number }>;
}

const STATE_RANK: Record<SubmissionState, number> = { published: 3, with_errors: 2, in_progress: 1, dead_lettered: 0 };

/**
 * Agencies × years: for each, the best state among the agency's documents of that year (a published
 * report beats a failed resubmission). Expected agencies with no document for a year are missing.
 */
export async function submissionsMatrix(db: Kysely<Database>, expected: readonly ExpectedAgency[], years?: number[]): Promise<SubmissionsMatrix> {
  const rows = await db
    .selectFrom('reports as r')
    .innerJoin('documents as d', 'd.id', 'r.document_id')
    .select(['r.agency', 'r.agency_key', 'r.year', 'd.status'])
    .select(sql<number>`(select count(*) from findings f where f.document_id = d.id and f.severity in ('error', 'critical'))`.as('failing'))
    .where('r.agency_key', 'is not', null)
    .where('r.year', 'is not', null)
    .execute();
  const byKey = new Map<string, SubmissionsMatrix['agencies'][number]>();
  for (const entry of expected) byKey.set(entry.key, { agency: entry.agency, region: entry.region, expected: true, byYear: {} });
  const seenYears = new Set<number>(years ?? []);
  for (const row of rows) {
    const key = row.agency_key!;
    const year = row.year!;
    if (!years) seenYears.add(year);
    const agency = byKey.get(key) ?? { agency: row.agency ?? key, region: null, expected: false, byYear: {} };
    byKey.set(key, agency);
    const state: SubmissionState =
      row.status === 'published' ? (Number(row.failing) > 0 ? 'with_errors' : 'published') : row.status === 'dead_lettered' ? 'dead_lettered' : 'in_progress';
    const current = agency.byYear[year];
    agency.byYear[year] = {
      state: current && STATE_RANK[current.state] >= STATE_RANK[state] ? current.state : state,
      documents: (current?.documents ?? 0) + 1,
    };
  }
  const unattributed = await db
    .selectFrom('documents as d')
    .leftJoin('reports as r', 'r.document_id', 'd.id')
    .select(['d.status', (eb) => eb.fn.countAll<number>().as('count')])
    .where('r.document_id', 'is', null)
    .groupBy('d.status')
    .orderBy('d.status')
    .execute();
  return {
    years: [...seenYears].sort((a, b) => a - b),
    agencies: [...byKey.values()].sort((a, b) => (a.region ?? '').localeCompare(b.region ?? '', 'zh') || a.agency.localeCompare(b.agency, 'zh')),
    unattributed: unattributed.map((row) => ({ status: row.status, count: Number(row.count) })),
  };
}
