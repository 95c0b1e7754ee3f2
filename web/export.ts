/**
 * Downloads of the published data: every cell, and every finding, of published reports, filtered by
 * year, region (a division) and whether the report is the one that counts for its agency and year.
 *
 * Exports are streamed: one query read through a cursor in batches (kysely's executor stream), each
 * batch turned into CSV text or workbook rows and handed on only when the client has taken the last,
 * so a 10,000-report export neither sits in memory nor holds the event loop.
 *
 * Names are the template's official Chinese ones (shared/template/cell-names.ts), headers Chinese
 * first; numbers are Postgres numeric as text, never a float on the way.
 */
import path from 'node:path';
import { PassThrough, Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Config } from '../shared/config';
import { ancestors, divisionByCode, type Division } from '../shared/divisions';
import { divisionPrefix } from '../shared/db/rollup';
import type { Database } from '../shared/db/schema';
import { legacyCellKey, type LegacyColumn } from '../shared/record';
import { cellName, columnName, rowName, tableTitle } from '../shared/template/cell-names';
import type { TableName } from '../shared/template/templates';
import { say, type Locale } from './i18n';
import { ruleName, severityName, templateName } from './labels';
import { OutputClosed, XlsxStreamWriter, type XlsxValue } from './xlsx-stream';

export type ExportKind = 'cells' | 'findings';

export interface ExportFilter {
  year?: number;
  /** The division whose agencies (and those of every division within it) are exported. */
  region?: Division;
  /** Only the report that counts for its agency and year (counted_reports); its other copies are left out. */
  countedOnly: boolean;
}

/** Where an agency sits: its division and the province, city and county names above it. */
export interface Place {
  divisionCode: string | null;
  province: string | null;
  city: string | null;
  county: string | null;
}

/** The report a row comes from. */
export interface ExportDocument extends Place {
  documentId: string;
  fileName: string;
  agency: string | null;
  year: number | null;
  template: string | null;
  counted: boolean;
  /** For a copy that does not count: the document whose report counts for the agency and year. */
  countedCopy: string | null;
}

/** What a finding says, as the export shows it beside the cells it names. */
interface FindingNote {
  rule: string;
  message: string;
  /** Null for findings stored before messages were written in both languages. */
  messageEn: string | null;
}

export interface CellExportRow {
  document: ExportDocument;
  table: string;
  row: string;
  column: string;
  /** Postgres numeric as text, so no digit is lost. */
  value: string | null;
  raw: string;
  unit: string | null;
  /** The key findings name the cell by: applications.newReceived.naturalPerson, legacy.<label>. */
  cellKey: string;
  findings: readonly FindingNote[];
}

export interface FindingExportRow extends FindingNote {
  document: ExportDocument;
  severity: string;
  cells: string[];
}

export interface ExportColumn<T> {
  zh: string;
  en: string;
  /** Column width in characters, for the workbook. */
  width: number;
  value(row: T, locale: Locale): string | number | null;
}

function messageOf(finding: FindingNote, locale: Locale): string {
  return say(locale, finding.message, finding.messageEn ?? finding.message);
}

type OfDocument = { document: ExportDocument };

/** Which report a row belongs to and where it counts: the first columns of both exports. */
const DOCUMENT_COLUMNS: ReadonlyArray<ExportColumn<OfDocument>> = [
  { zh: '机关', en: 'Agency', width: 28, value: ({ document }) => document.agency },
  { zh: '年度', en: 'Year', width: 8, value: ({ document }) => document.year },
  { zh: '省', en: 'Province', width: 12, value: ({ document }) => document.province },
  { zh: '市', en: 'City', width: 12, value: ({ document }) => document.city },
  { zh: '县', en: 'County', width: 12, value: ({ document }) => document.county },
  { zh: '行政区划代码', en: 'Division code', width: 10, value: ({ document }) => document.divisionCode },
  { zh: '是否计入', en: 'Counted', width: 8, value: ({ document }, locale) => (document.counted ? say(locale, '是', 'yes') : say(locale, '否', 'no')) },
  { zh: '计入的副本', en: 'Counted copy', width: 38, value: ({ document }) => document.countedCopy },
];

/** Which file a row comes from: the last columns of both exports. */
const SOURCE_COLUMNS: ReadonlyArray<ExportColumn<OfDocument>> = [
  { zh: '文件名', en: 'File', width: 28, value: ({ document }) => document.fileName },
  { zh: '文档编号', en: 'Document', width: 38, value: ({ document }) => document.documentId },
];

export const CELL_COLUMNS: ReadonlyArray<ExportColumn<CellExportRow>> = [
  ...DOCUMENT_COLUMNS,
  { zh: '模板', en: 'Template', width: 14, value: ({ document }, locale) => (document.template ? templateName(document.template, locale) : null) },
  { zh: '表', en: 'Table', width: 24, value: (row) => row.table },
  { zh: '行', en: 'Row', width: 32, value: (row) => row.row },
  { zh: '列', en: 'Column', width: 16, value: (row) => row.column },
  { zh: '数值', en: 'Value', width: 12, value: (row) => row.value },
  { zh: '原文', en: 'As printed', width: 12, value: (row) => row.raw },
  { zh: '单位', en: 'Unit', width: 8, value: (row) => row.unit },
  { zh: '问题规则', en: 'Finding rules', width: 24, value: (row) => row.findings.map((finding) => finding.rule).join('; ') },
  {
    zh: '问题',
    en: 'Findings',
    width: 60,
    value: (row, locale) => row.findings.map((finding) => `${ruleName(finding.rule, locale)}${say(locale, '：', ': ')}${messageOf(finding, locale)}`).join('\n'),
  },
  { zh: '单元格键', en: 'Cell key', width: 36, value: (row) => row.cellKey },
  ...SOURCE_COLUMNS,
];

export const FINDING_COLUMNS: ReadonlyArray<ExportColumn<FindingExportRow>> = [
  ...DOCUMENT_COLUMNS,
  { zh: '规则', en: 'Rule', width: 24, value: (row) => row.rule },
  { zh: '规则名称', en: 'Rule name', width: 28, value: (row, locale) => ruleName(row.rule, locale) },
  { zh: '严重程度', en: 'Severity', width: 10, value: (row, locale) => severityName(row.severity, locale) },
  { zh: '说明', en: 'Message', width: 60, value: (row, locale) => messageOf(row, locale) },
  { zh: '涉及的单元格', en: 'Cells', width: 48, value: (row) => row.cells.map(cellName).join('；') },
  { zh: '单元格键', en: 'Cell keys', width: 40, value: (row) => row.cells.join('; ') },
  ...SOURCE_COLUMNS,
];

/** Rows fetched from the cursor at a time: large enough to amortise the round trip, small enough to keep each batch's work short. */
const BATCH_ROWS = 1000;

/**
 * The reports to export, each with its rank in the export's order (division, agency, year, file) and
 * the document of the report that counts for its agency and year.
 */
function selectedReports(filter: ExportFilter): RawBuilder<unknown> {
  const prefix = filter.region ? divisionPrefix(filter.region) : null;
  return sql`select d.id as document_id, d.file_name, r.agency, r.year, r.template, r.division_code, k.document_id as counted_id,
      row_number() over (order by r.division_code nulls last, gongkai_natural_key(r.agency) collate "C" nulls last, r.year nulls last, gongkai_natural_key(d.file_name) collate "C", d.id) as rank
    from documents d
    join reports r on r.document_id = d.id
    left join counted_reports k on k.agency_key = r.agency_key and k.year = r.year
    where d.status = 'published'
      and ${filter.year === undefined ? sql`true` : sql`r.year = ${filter.year}`}
      and ${prefix === null ? sql`true` : sql`left(r.division_code, ${prefix.length}) = ${prefix}`}
      and ${filter.countedOnly ? sql`k.document_id = r.document_id` : sql`true`}`;
}

/** A report's own row of the stream: who, where, which copy counts, and (cells export) its findings. */
function reportJson(kind: ExportKind): RawBuilder<unknown> {
  const findings =
    kind === 'cells'
      ? sql`(select json_agg(json_build_object('rule', f.rule, 'message', f.message, 'messageEn', f.message_en, 'cells', f.cells) order by f.id)
          from findings f where f.document_id = s.document_id)`
      : sql`null`;
  return sql`json_build_object('documentId', s.document_id, 'fileName', s.file_name, 'agency', s.agency, 'year', s.year, 'template', s.template,
    'divisionCode', s.division_code, 'countedId', s.counted_id, 'findings', ${findings})`;
}

/**
 * One stream of both a report's own row (kind 0) and its items (kind 1), each report's row just
 * before its items: the items' rows need not repeat the report (fewer and narrower rows to send and
 * parse), and a report's findings arrive once, ahead of the cells they name.
 */
function exportQuery(kind: ExportKind, filter: ExportFilter): RawBuilder<ExportQueryRow> {
  const [columns, reportItems, items] =
    kind === 'cells'
      ? [
          sql`table_name, row_key, column_key, value, raw, unit`,
          sql`null::text as table_name, null::text as row_key, null::text as column_key, null::text as value, null::text as raw, null::text as unit`,
          sql`select s.rank, 1 as kind, c.position as item, null::json as report, c.table_name, c.row_key, c.column_key, c.value::text, c.raw, c.unit
            from selected s join cells c on c.document_id = s.document_id`,
        ]
      : [
          sql`finding`,
          sql`null::json as finding`,
          sql`select s.rank, 1 as kind, f.id as item, null::json as report,
              json_build_object('rule', f.rule, 'severity', f.severity, 'message', f.message, 'messageEn', f.message_en, 'cells', f.cells) as finding
            from selected s join findings f on f.document_id = s.document_id`,
        ];
  return sql<ExportQueryRow>`with selected as (${selectedReports(filter)})
    select kind, report, ${columns}
    from (select s.rank, 0 as kind, 0::bigint as item, ${reportJson(kind)} as report, ${reportItems} from selected s union all ${items}) u
    order by rank, kind, item`;
}

interface ReportJson {
  documentId: string;
  fileName: string;
  agency: string | null;
  year: number | null;
  template: string | null;
  divisionCode: string | null;
  countedId: string | null;
  findings: Array<FindingNote & { cells: string[] }> | null;
}

type ExportQueryRow =
  | { kind: 0; report: ReportJson }
  | { kind: 1; table_name: string; row_key: string; column_key: string; value: string | null; raw: string; unit: string | null }
  | { kind: 1; finding: Omit<FindingExportRow, 'document'> };

/** The division's province, city and county names (those it has: a municipality's district has no city). */
function placeOf(code: string | null): Place {
  const division = code === null ? undefined : divisionByCode(code);
  const chain = division ? [...ancestors(division.code), division] : [];
  const named = (level: Division['level']) => chain.find((entry) => entry.level === level)?.name ?? null;
  return { divisionCode: code, province: named('province'), city: named('city'), county: named('county') };
}

/** The key findings name a cell by (legacy cells: legacy.<label>, legacy.<label>.cumulative). */
function cellKeyOf(table: string, row: string, column: string): string {
  return table === 'legacy' ? legacyCellKey(row, column as LegacyColumn) : `${table}.${row}.${column}`;
}

type CellNames = [table: string, row: string, column: string];

function namesOf(table: string, row: string, column: string): CellNames {
  const known = table as TableName;
  return [tableTitle(known) ?? table, rowName(known, row), columnName(known, column)];
}

const NO_FINDINGS: readonly FindingNote[] = [];

/** The export's rows, a batch at a time, in order: division, agency, year, file, then the report's own order. */
export function exportRows(db: Kysely<Database>, kind: 'cells', filter: ExportFilter): AsyncGenerator<CellExportRow[]>;
export function exportRows(db: Kysely<Database>, kind: 'findings', filter: ExportFilter): AsyncGenerator<FindingExportRow[]>;
export async function* exportRows(db: Kysely<Database>, kind: ExportKind, filter: ExportFilter): AsyncGenerator<Array<CellExportRow | FindingExportRow>> {
  let document: ExportDocument | undefined;
  let findingsByCell = new Map<string, FindingNote[]>();
  // The same few hundred cells recur in every report: each named once per export.
  const names = new Map<string, CellNames>();
  for await (const { rows } of db.getExecutor().stream(exportQuery(kind, filter).compile(db), BATCH_ROWS)) {
    const batch: Array<CellExportRow | FindingExportRow> = [];
    for (const row of rows) {
      if (row.kind === 0) {
        const { report } = row;
        document = {
          documentId: report.documentId,
          fileName: report.fileName,
          agency: report.agency,
          year: report.year,
          template: report.template,
          ...placeOf(report.divisionCode),
          counted: report.countedId === report.documentId,
          countedCopy: report.countedId !== null && report.countedId !== report.documentId ? report.countedId : null,
        };
        findingsByCell = new Map();
        for (const { cells, ...finding } of report.findings ?? []) {
          for (const cell of cells) findingsByCell.set(cell, [...(findingsByCell.get(cell) ?? []), finding]);
        }
      } else if ('finding' in row) {
        batch.push({ document: document!, ...row.finding });
      } else {
        const cellKey = cellKeyOf(row.table_name, row.row_key, row.column_key);
        let cellNames = names.get(cellKey);
        if (!cellNames) names.set(cellKey, (cellNames = namesOf(row.table_name, row.row_key, row.column_key)));
        const [table, label, column] = cellNames;
        batch.push({ document: document!, table, row: label, column, value: row.value, raw: row.raw, unit: row.unit, cellKey, findings: findingsByCell.get(cellKey) ?? NO_FINDINGS });
      }
    }
    if (batch.length > 0) yield batch;
  }
}

/** A decimal number as Postgres prints numeric (and as a person would type one): no formula, no leading zeros to lose. */
const PLAIN_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;
/** What a spreadsheet may read as the start of a formula (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine<T>(row: T, columns: ReadonlyArray<ExportColumn<T>>, locale: Locale): string {
  return `${columns.map((column) => csvField(column.value(row, locale))).join(',')}\r\n`;
}

/**
 * RFC 4180 CSV with CRLF line ends, behind a UTF-8 BOM so that Excel reads the Chinese as UTF-8; one
 * chunk of text per batch, taken only as fast as the reader reads.
 */
export function csvStream<T>(batches: AsyncIterable<T[]>, columns: ReadonlyArray<ExportColumn<T>>, locale: Locale): Readable {
  async function* text(): AsyncGenerator<string> {
    yield `\uFEFF${columns.map((column) => csvField(say(locale, column.zh, column.en))).join(',')}\r\n`;
    for await (const batch of batches) {
      let chunk = '';
      for (const row of batch) chunk += csvLine(row, columns, locale);
      yield chunk;
    }
  }
  return Readable.from(text(), { objectMode: false });
}

/** Excel keeps 15 significant digits: a number with more is written as text, so that none is lost. */
const EXCEL_DIGITS = 15;

function xlsxValue(value: string | number | null): XlsxValue {
  if (typeof value === 'string' && PLAIN_NUMBER.test(value) && value.replace(/[-.]/g, '').replace(/^0+/, '').length <= EXCEL_DIGITS) return { numeric: value };
  return value;
}

/** A sheet holds at most 1,048,576 rows; a larger export goes on over further sheets. */
const ROWS_PER_SHEET = 1_000_000;

/**
 * Writes the export as an .xlsx workbook to `output`, a sheet of at most `rowsPerSheet` rows at a
 * time, header bold and frozen (web/xlsx-stream.ts). Text is written as text, never as a formula,
 * so the CSV's formula guard is not needed here. Stops early when `output` is closed (the client
 * went away); the cursor is closed with it.
 */
export async function writeXlsx<T>(
  batches: AsyncIterable<T[]>,
  columns: ReadonlyArray<ExportColumn<T>>,
  locale: Locale,
  sheetName: string,
  output: Writable,
  { rowsPerSheet = ROWS_PER_SHEET }: { rowsPerSheet?: number } = {},
): Promise<void> {
  const workbook = new XlsxStreamWriter(
    output,
    columns.map((column) => ({ header: say(locale, column.zh, column.en), width: column.width })),
  );
  let sheets = 1;
  let sheetRows = 0;
  try {
    await workbook.sheet(sheetName);
    for await (const batch of batches) {
      let start = 0;
      while (start < batch.length) {
        if (sheetRows === rowsPerSheet) {
          await workbook.sheet(`${sheetName} ${++sheets}`);
          sheetRows = 0;
        }
        const part = batch.slice(start, start + rowsPerSheet - sheetRows);
        await workbook.rows(part, (row) => columns.map((column) => xlsxValue(column.value(row, locale))));
        sheetRows += part.length;
        start += part.length;
      }
    }
    await workbook.finish();
  } catch (error) {
    if (!(error instanceof OutputClosed)) throw error;
  }
}

/** What to export, as the thread that writes it receives it. */
export interface ExportJob {
  kind: ExportKind;
  format: 'csv' | 'xlsx';
  filter: ExportFilter;
  locale: Locale;
}

const SHEET_NAMES: Record<ExportKind, [zh: string, en: string]> = { cells: ['单元格', 'cells'], findings: ['问题', 'findings'] };

async function writeRows<T>(rows: AsyncIterable<T[]>, columns: ReadonlyArray<ExportColumn<T>>, job: ExportJob, output: Writable): Promise<void> {
  if (job.format === 'csv') return pipeline(csvStream(rows, columns, job.locale), output);
  return writeXlsx(rows, columns, job.locale, say(job.locale, ...SHEET_NAMES[job.kind]), output);
}

/** Writes the export's bytes to `output`, and ends it. */
export function writeExport(db: Kysely<Database>, job: ExportJob, output: Writable): Promise<void> {
  return job.kind === 'cells'
    ? writeRows(exportRows(db, 'cells', job.filter), CELL_COLUMNS, job, output)
    : writeRows(exportRows(db, 'findings', job.filter), FINDING_COLUMNS, job, output);
}

/**
 * The heap the export thread may use. Its own live data is ≈ 20 MB; the cap makes its collector keep
 * the garbage of millions of rows near that instead of letting the heap grow to several times it.
 */
const EXPORT_THREAD_HEAP_MB = 48;

/** A download whose client takes nothing for this long is abandoned. */
const STALLED_CLIENT_MS = 5 * 60_000;

/**
 * The export's bytes, as a stream the reply reads. On a Postgres server, a worker thread with its own
 * connection and a capped heap writes them (web/export-thread.ts): the rows' garbage never reaches this
 * thread's heap and their work never holds its event loop; it sends one chunk at a time and the next
 * only when this side has taken it. Embedded Postgres lives in this thread, so there the export runs
 * here, a batch at a time.
 */
export function exportStream(db: Kysely<Database>, config: Pick<Config, 'databaseUrl' | 'dbSchema'>, job: ExportJob): Readable {
  if (config.databaseUrl === null) {
    const output = new PassThrough();
    writeExport(db, job, output).catch((error: unknown) => output.destroy(error instanceof Error ? error : new Error(String(error))));
    return output;
  }
  const threadJob: ExportThreadJob = { ...job, databaseUrl: config.databaseUrl, dbSchema: config.dbSchema };
  const bootstrap = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(path.join(__dirname, 'export-thread.ts'))});`;
  const thread = new Worker(bootstrap, { eval: true, workerData: threadJob, resourceLimits: { maxOldGenerationSizeMb: EXPORT_THREAD_HEAP_MB, maxYoungGenerationSizeMb: 8 } });
  let waiting = false;
  let ended = false;
  let stalled: NodeJS.Timeout | undefined;
  const body = new Readable({
    read() {
      if (!waiting) return;
      waiting = false;
      clearTimeout(stalled);
      thread.postMessage('more');
    },
    destroy(error, done) {
      clearTimeout(stalled);
      thread.terminate().then(
        () => done(error),
        () => done(error),
      );
    },
  });
  thread.on('message', (message: ExportThreadMessage) => {
    if ('chunk' in message) {
      if (body.push(Buffer.from(message.chunk.buffer, message.chunk.byteOffset, message.chunk.byteLength))) thread.postMessage('more');
      else {
        waiting = true;
        // The thread's open cursor holds a transaction, which holds back vacuum and schema changes.
        stalled = setTimeout(() => body.destroy(new Error('the client took nothing for too long')), STALLED_CLIENT_MS).unref();
      }
    } else if ('end' in message) {
      ended = true;
      body.push(null);
    } else body.destroy(new Error(message.error));
  });
  thread.on('error', (error) => body.destroy(error));
  thread.on('exit', (code) => {
    if (!ended) body.destroy(new Error(`the export thread stopped (exit code ${code}) before the export was written`));
  });
  return body;
}

/** The job as the export thread receives it: with the database it opens for itself. */
export interface ExportThreadJob extends ExportJob {
  databaseUrl: string;
  dbSchema: string;
}

/** What the export thread sends: a chunk of the file (answered with 'more' when taken), its end, or why it failed. */
export type ExportThreadMessage = { chunk: Uint8Array } | { end: true } | { error: string };

/** The divisions reports are placed in, with every division above them, in code order (a province, then its cities, each with its counties). */
export async function divisionsInData(db: Kysely<Database>): Promise<Division[]> {
  const { rows } = await sql<{ division_code: string }>`
    select distinct r.division_code from reports r join documents d on d.id = r.document_id
    where d.status = 'published' and r.division_code is not null`.execute(db);
  const present = new Map<string, Division>();
  for (const { division_code: code } of rows) {
    const division = divisionByCode(code);
    if (!division) continue;
    for (const entry of [...ancestors(code), division]) present.set(entry.code, entry);
  }
  return [...present.values()].sort((a, b) => a.code.localeCompare(b.code));
}

/** Years with a published report, newest first. */
export async function yearsInData(db: Kysely<Database>): Promise<number[]> {
  const rows = await db
    .selectFrom('reports as r')
    .innerJoin('documents as d', 'd.id', 'r.document_id')
    .select('r.year')
    .distinct()
    .where('d.status', '=', 'published')
    .where('r.year', 'is not', null)
    .orderBy('r.year', 'desc')
    .execute();
  return rows.map((row) => row.year!);
}
