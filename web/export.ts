/**
 * Downloads of the published data: every cell and every finding, filtered by year and region, as
 * CSV (for anything) or an Excel workbook. Only documents whose status is published are exported.
 */
import ExcelJS from 'exceljs';
import type { Kysely } from 'kysely';
import type { ExpectedAgency } from '../shared/expected-agencies';
import type { Database } from '../shared/db/schema';

export interface ExportFilter {
  year?: number;
  /** An empty region filters nothing, as an empty form field would. */
  region?: string;
}

export interface CellExportRow {
  documentId: string;
  fileName: string;
  agency: string | null;
  year: number | null;
  template: string | null;
  table: string;
  row: string;
  column: string;
  /** Postgres numeric as text, so no digit is lost. */
  value: string | null;
  raw: string;
  unit: string | null;
}

export interface FindingExportRow {
  documentId: string;
  fileName: string;
  agency: string | null;
  year: number | null;
  rule: string;
  severity: string;
  message: string;
  /** The cells the finding names, joined with '; '. */
  cells: string;
}

export interface ExportColumn<T> {
  key: keyof T & string;
  header: string;
  /** Column width in characters, for the workbook. */
  width?: number;
}

/** Which report a row belongs to: the first columns of both exports. */
const DOCUMENT_COLUMNS: ReadonlyArray<ExportColumn<Pick<CellExportRow & FindingExportRow, 'documentId' | 'fileName' | 'agency' | 'year'>>> = [
  { key: 'documentId', header: 'document', width: 38 },
  { key: 'fileName', header: 'file', width: 28 },
  { key: 'agency', header: 'agency', width: 28 },
  { key: 'year', header: 'year', width: 8 },
];

export const CELL_COLUMNS: ReadonlyArray<ExportColumn<CellExportRow>> = [
  ...DOCUMENT_COLUMNS,
  { key: 'template', header: 'template', width: 10 },
  { key: 'table', header: 'table', width: 16 },
  { key: 'row', header: 'row', width: 24 },
  { key: 'column', header: 'column', width: 24 },
  { key: 'value', header: 'value', width: 14 },
  { key: 'raw', header: 'raw', width: 14 },
  { key: 'unit', header: 'unit', width: 8 },
];

export const FINDING_COLUMNS: ReadonlyArray<ExportColumn<FindingExportRow>> = [
  ...DOCUMENT_COLUMNS,
  { key: 'rule', header: 'rule', width: 24 },
  { key: 'severity', header: 'severity', width: 10 },
  { key: 'message', header: 'message', width: 60 },
  { key: 'cells', header: 'cells', width: 40 },
];

/**
 * Published documents with their reports, filtered. The region test is inRegion (shared/expected-agencies.ts)
 * restated in SQL: the agency's name contains the region, or its folded key is one the expected list
 * puts in that region (reports.agency_key is agencyKey(agency), the key inRegion compares).
 */
function publishedReports(db: Kysely<Database>, filter: ExportFilter, expected: readonly ExpectedAgency[]) {
  let query = db.selectFrom('documents as d').innerJoin('reports as r', 'r.document_id', 'd.id').where('d.status', '=', 'published');
  if (filter.year !== undefined) query = query.where('r.year', '=', filter.year);
  const region = filter.region;
  if (region) {
    const keys = expected.filter((entry) => entry.region === region).map((entry) => entry.key);
    query = query.where((eb) =>
      eb.or([
        // strpos, not like: a region containing % or _ must match literally.
        eb(eb.fn<number>('strpos', ['r.agency', eb.val(region)]), '>', 0),
        ...(keys.length > 0 ? [eb('r.agency_key', 'in', keys)] : []),
      ]),
    );
  }
  return query;
}

export async function exportCells(db: Kysely<Database>, filter: ExportFilter, expected: readonly ExpectedAgency[]): Promise<CellExportRow[]> {
  const rows = await publishedReports(db, filter, expected)
    .innerJoin('cells as c', 'c.document_id', 'd.id')
    .select(['d.id', 'd.file_name', 'r.agency', 'r.year', 'r.template', 'c.table_name', 'c.row_key', 'c.column_key', 'c.value', 'c.raw', 'c.unit'])
    .orderBy('r.agency')
    .orderBy('r.year')
    .orderBy('d.file_name')
    .orderBy('d.id')
    .orderBy('c.id')
    .execute();
  return rows.map((row) => ({
    documentId: row.id,
    fileName: row.file_name,
    agency: row.agency,
    year: row.year,
    template: row.template,
    table: row.table_name,
    row: row.row_key,
    column: row.column_key,
    value: row.value,
    raw: row.raw,
    unit: row.unit,
  }));
}

export async function exportFindings(db: Kysely<Database>, filter: ExportFilter, expected: readonly ExpectedAgency[]): Promise<FindingExportRow[]> {
  const rows = await publishedReports(db, filter, expected)
    .innerJoin('findings as f', 'f.document_id', 'd.id')
    .select(['d.id', 'd.file_name', 'r.agency', 'r.year', 'f.rule', 'f.severity', 'f.message', 'f.cells'])
    .orderBy('r.agency')
    .orderBy('r.year')
    .orderBy('d.file_name')
    .orderBy('d.id')
    .orderBy('f.id')
    .execute();
  return rows.map((row) => ({
    documentId: row.id,
    fileName: row.file_name,
    agency: row.agency,
    year: row.year,
    rule: row.rule,
    severity: row.severity,
    message: row.message,
    cells: row.cells.join('; '),
  }));
}

/** A decimal number as Postgres prints numeric (and as a person would type one): no formula, no leading zeros to lose. */
const PLAIN_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;
/** What a spreadsheet may read as the start of a formula (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return value instanceof Date ? value.toISOString() : String(value);
}

function csvField(value: unknown): string {
  let text = cellText(value);
  if (FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV with CRLF line ends, behind a UTF-8 BOM so that Excel reads the Chinese as UTF-8. */
export function toCsv<T extends object>(rows: T[], columns: ReadonlyArray<{ key: keyof T; header: string }>): string {
  const lines = [columns.map((column) => csvField(column.header)).join(',')];
  for (const row of rows) lines.push(columns.map((column) => csvField(row[column.key])).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

function xlsxValue(value: unknown): ExcelJS.CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' && PLAIN_NUMBER.test(value)) return Number(value);
  return value instanceof Date || typeof value === 'number' || typeof value === 'boolean' ? value : String(value);
}

/**
 * One sheet per entry, header row bold and frozen. Text is written as text (exceljs never turns a
 * string into a formula), so the CSV's formula guard is not needed here.
 */
export async function toXlsx(
  sheets: Array<{ name: string; rows: object[]; columns: ReadonlyArray<{ key: string; header: string; width?: number }> }>,
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  for (const sheet of sheets) {
    const worksheet = workbook.addWorksheet(sheet.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    worksheet.columns = sheet.columns.map((column) => ({ key: column.key, header: column.header, width: column.width }));
    worksheet.getRow(1).font = { bold: true };
    for (const row of sheet.rows) {
      const values = row as Record<string, unknown>;
      worksheet.addRow(Object.fromEntries(sheet.columns.map((column) => [column.key, xlsxValue(values[column.key])])));
    }
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
