/** What the web pages and the JSON API read: document search, a document's runs and cells, submissions per agency and year. */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { agencyKey } from '../agency';
import { ancestors, codesWithinPattern, divisionByCode, divisionsMatching, foldName } from '../divisions';
import type { ExpectedAgency } from '../expected-agencies';
import { reportCopies } from './counted';
import { deadLetterHistory } from './dead-letters';
import { reportVersions } from './reports';
import { rangeBox, relativeBox, scannedBox, type Box } from '../page-boxes';
import type { ExtractedPage, Provenance } from '../record';
import type { StageOutputStore } from '../stage-outputs';
import type { Severity } from '../record';
import type { Database, DocumentStatus } from './schema';

export interface DocumentSearch {
  ids?: string[];
  agency?: string;
  year?: number;
  status?: DocumentStatus;
  fileName?: string;
  /** Documents with a finding of this rule. */
  rule?: string;
  /** Documents with a finding of this severity. */
  severity?: Severity;
  /** Documents with an error or critical finding. */
  hasErrors?: boolean;
  limit: number;
  offset: number;
  /** The column to sort by, most recently changed first by default. */
  sort?: DocumentSort;
  direction?: 'asc' | 'desc';
}

/** Documents a list page shows unless asked for another number. */
export const DOCUMENTS_PAGE_SIZE = 50;

export const DOCUMENT_SORTS = ['fileName', 'agency', 'year', 'status', 'errors', 'updated'] as const;
export type DocumentSort = (typeof DOCUMENT_SORTS)[number];

export interface DocumentListRow {
  id: string;
  fileName: string;
  status: DocumentStatus;
  stage: string;
  error: string | null;
  /** The name as the report prints it. */
  agency: string | null;
  /** The name with the place the report omits (市中区人民政府 → 内江市市中区人民政府), as lists show it. */
  agencyFullName: string | null;
  year: number | null;
  template: string | null;
  errors: number;
  warnings: number;
  critical: number;
  updatedAt: Date;
}

const FAILING_SEVERITIES: Severity[] = ['error', 'critical'];

/**
 * What each column sorts by. Names sort by their stored natural keys (migration 009), so 第10区 comes
 * before 第100区; statuses in the order a document passes through them.
 */
const SORT_KEYS: Record<DocumentSort, RawBuilder<unknown>> = {
  fileName: sql`d.file_name_sort`,
  agency: sql`r.agency_sort`,
  year: sql`r.year`,
  status: sql`case d.status when 'queued' then 0 when 'processing' then 1 when 'published' then 2 else 3 end`,
  errors: sql`(select count(*) from findings f where f.document_id = d.id and f.severity in ('error', 'critical'))`,
  updated: sql`d.updated_at`,
};

/** Names from A, numbers and times from the largest and latest: what a click on a column first shows. */
export const DEFAULT_DIRECTION: Record<DocumentSort, 'asc' | 'desc'> = {
  fileName: 'asc',
  agency: 'asc',
  year: 'desc',
  status: 'asc',
  errors: 'desc',
  updated: 'desc',
};

/** The rules of the findings stored, for the documents list's filter. */
export async function findingRules(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('findings').select('rule').distinct().orderBy('rule').execute();
  return rows.map((row) => row.rule);
}

/** `like` patterns match the text literally. */
function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

export async function searchDocuments(db: Kysely<Database>, search: DocumentSearch): Promise<{ total: number; rows: DocumentListRow[] }> {
  let query = db.selectFrom('documents as d').leftJoin('reports as r', 'r.document_id', 'd.id');
  if (search.ids) query = query.where('d.id', 'in', search.ids);
  if (search.agency) {
    // By the printed name, the name qualified with its place, the identity, or a place (内江市 finds its counties' agencies); Simplified or Traditional.
    const folded = foldName(search.agency);
    const places = divisionsMatching(search.agency).map(codesWithinPattern);
    query = query.where((eb) =>
      eb.or([
        eb('r.agency', 'like', containing(search.agency!)),
        eb('r.agency', 'like', containing(folded)),
        eb('r.agency_full_name', 'like', containing(folded)),
        eb('r.agency_key', '=', agencyKey(search.agency!)),
        ...places.map((pattern) => eb('r.division_code', 'like', pattern)),
      ]),
    );
  }
  if (search.year) query = query.where('r.year', '=', search.year);
  if (search.status) query = query.where('d.status', '=', search.status);
  if (search.fileName) query = query.where('d.file_name', 'like', containing(search.fileName));
  const { rule, severity } = search;
  if (rule || severity) {
    query = query.where((eb) => {
      let findings = eb.selectFrom('findings as f').select('f.id').whereRef('f.document_id', '=', 'd.id');
      if (rule) findings = findings.where('f.rule', '=', rule);
      if (severity) findings = findings.where('f.severity', '=', severity);
      return eb.exists(findings);
    });
  }
  if (search.hasErrors) {
    query = query.where((eb) =>
      eb.exists(eb.selectFrom('findings as f').select('f.id').whereRef('f.document_id', '=', 'd.id').where('f.severity', 'in', FAILING_SEVERITIES)),
    );
  }
  const { total } = await query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  const severityCount = (level: Severity) =>
    sql<number>`(select count(*) from findings f where f.document_id = d.id and f.severity = ${level})`.as(`${level}_findings`);
  const direction = sql.raw(search.direction === 'asc' ? 'asc' : search.direction === 'desc' ? 'desc' : DEFAULT_DIRECTION[search.sort ?? 'updated']);
  const rows = await query
    .select(['d.id', 'd.file_name', 'd.status', 'd.current_stage', 'd.error', 'd.updated_at', 'r.agency', 'r.agency_full_name', 'r.year', 'r.template'])
    .select([severityCount('error'), severityCount('warning'), severityCount('critical')])
    .orderBy(sql`${SORT_KEYS[search.sort ?? 'updated']} ${direction} nulls last`)
    .orderBy('d.file_name_sort')
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
      agencyFullName: row.agency_full_name,
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
  return (await searchDocuments(db, { ids, limit: ids.length, offset: 0, sort: 'fileName', direction: 'asc' })).rows;
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
  const [timeline, deadLetters, reports, copies] = await Promise.all([
    stageTimeline(db, documentId),
    deadLetterHistory(db, documentId),
    reportVersions(db, documentId),
    reportCopies(db, documentId),
  ]);
  return { timeline, deadLetters, reports, copies };
}

/** Where one published cell was read: its page's text, and its box on the page where the geometry is known. */
export interface CellSource {
  raw: string;
  provenance: Provenance;
  pageText: string | null;
  textSource: string | null;
  /** The value's box as fractions [x0, y0, x1, y1] of the page image's width and height. */
  box: Box | null;
  /** Clockwise degrees OCR turned the page before reading it; the page image is shown turned the same way. */
  rotation: number;
}

/** A document's pages as the pipeline read them: its ocr stage's last output. */
export async function documentPages(db: Kysely<Database>, outputs: StageOutputStore, documentId: string): Promise<ExtractedPage[]> {
  return (await outputs.latest(db, documentId, 'ocr'))?.pages ?? [];
}

export async function cellSource(db: Kysely<Database>, outputs: StageOutputStore, documentId: string, cellKey: string): Promise<CellSource | undefined> {
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
  const page = (await documentPages(db, outputs, documentId)).find((candidate) => candidate.number === provenance.page);
  return { raw: cell.raw, provenance, pageText: page?.text ?? null, textSource: page?.source ?? null, box: page ? valueBox(provenance, page) : null, rotation: page?.ocr?.rotation ?? 0 };
}

/** OCR cells carry their box in page-image pixels; text-layer cells are found in the page's recorded line boxes. */
function valueBox(provenance: Provenance, page: ExtractedPage): Box | null {
  const { ocr, boxes } = page;
  if (provenance.bbox && ocr) return relativeBox(scannedBox(provenance.bbox, ocr), ocr.width, ocr.height);
  if (!boxes || provenance.line === undefined || provenance.start === undefined || provenance.end === undefined) return null;
  const box = rangeBox(page.text, boxes, provenance.line, provenance.start, provenance.end);
  return box && relativeBox(box, boxes.width, boxes.height);
}

export type SubmissionState = 'published' | 'with_errors' | 'in_progress' | 'dead_lettered';

/** One agency and year of the matrix: the copy that counts, and how many copies it superseded. */
export interface SubmissionCell {
  /** The state of the copy that counts (counted_reports). */
  state: SubmissionState;
  /** Every copy of the agency's report for the year. */
  documents: number;
  countedDocumentId: string;
  /** Chosen by an operator (以此份为准), not by the rule "newest submission". */
  chosenByOperator: boolean;
}

/** One agency (one identity, shared/agency.ts) with its place. */
export interface SubmissionsRow {
  key: string;
  /** The name qualified with its place (内江市市中区人民政府). */
  agency: string;
  divisionCode: string | null;
  province: string | null;
  city: string | null;
  county: string | null;
  expected: boolean;
  byYear: Record<number, SubmissionCell>;
}

export interface SubmissionsMatrix {
  years: number[];
  agencies: SubmissionsRow[];
  /** Dead-lettered or unfinished documents whose agency is not known (they failed before parse). */
  unattributed: Array<{ status: DocumentStatus; count: number }>;
}

/** The province, city and county names of a division (a municipality's district has no city). */
function placeNames(code: string | null): Pick<SubmissionsRow, 'province' | 'city' | 'county'> {
  const division = code ? divisionByCode(code) : undefined;
  const chain = division ? [...ancestors(division.code), division] : [];
  const named = (level: string) => chain.find((place) => place.level === level)?.name ?? null;
  return { province: named('province'), city: named('city'), county: named('county') };
}

/**
 * Agencies × years, one row per agency identity (reports.agency_key): for each year the state of the
 * copy that counts (counted_reports) and how many copies there are. Expected agencies with no report
 * for a year have no cell there (missing).
 */
export async function submissionsMatrix(db: Kysely<Database>, expected: readonly ExpectedAgency[], years?: number[]): Promise<SubmissionsMatrix> {
  const rows = await db
    .selectFrom('reports as r')
    .innerJoin('documents as d', 'd.id', 'r.document_id')
    .innerJoin('counted_reports as k', (join) => join.onRef('k.agency_key', '=', 'r.agency_key').onRef('k.year', '=', 'r.year'))
    .select(['r.agency', 'r.agency_full_name', 'r.agency_key', 'r.division_code', 'r.year', 'r.document_id', 'd.status', 'k.document_id as counted_id', 'k.chosen_by_operator'])
    .select(sql<number>`(select count(*) from findings f where f.document_id = d.id and f.severity in ('error', 'critical'))`.as('failing'))
    .execute();
  const byKey = new Map<string, SubmissionsRow>();
  for (const entry of expected) {
    byKey.set(entry.key, { key: entry.key, agency: entry.fullName, divisionCode: entry.divisionCode, ...placeNames(entry.divisionCode), expected: true, byYear: {} });
  }
  const seenYears = new Set<number>(years ?? []);
  for (const row of rows) {
    const key = row.agency_key!;
    const year = row.year!;
    if (!years) seenYears.add(year);
    const counted = row.document_id === row.counted_id;
    const agency = byKey.get(key) ?? {
      key,
      agency: row.agency_full_name ?? row.agency ?? key,
      divisionCode: row.division_code,
      ...placeNames(row.division_code),
      expected: false,
      byYear: {},
    };
    byKey.set(key, agency);
    if (counted && !agency.expected) agency.agency = row.agency_full_name ?? row.agency ?? key;
    const cell = agency.byYear[year] ?? { state: 'in_progress', documents: 0, countedDocumentId: row.counted_id, chosenByOperator: row.chosen_by_operator };
    cell.documents += 1;
    if (counted) {
      cell.state =
        row.status === 'published' ? (Number(row.failing) > 0 ? 'with_errors' : 'published') : row.status === 'dead_lettered' ? 'dead_lettered' : 'in_progress';
    }
    agency.byYear[year] = cell;
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
    agencies: [...byKey.values()],
    unattributed: unattributed.map((row) => ({ status: row.status, count: Number(row.count) })),
  };
}
