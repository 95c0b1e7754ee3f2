/**
 * The official form's layout of a record's tables — title, header rows, merged group cells, the
 * template's Chinese labels, value cells keyed like cells and findings — independent of how it is
 * drawn: `gongkai parse` draws it as text (cli/render-report.ts), the web server as HTML.
 */
import type { CanonicalRecord, LegacyIndicator, TableNode } from '../record';
import {
  APPLICANT_COLUMN_LABELS,
  APPLICANT_COLUMNS,
  APPLICANTS_HEADER,
  LITIGATION_HEADER,
  ORGANISATION_COLUMNS,
  ORGANISATIONS_HEADER,
  REVIEW_COLUMN_LABELS,
  REVIEW_COLUMNS,
  REVIEW_GROUP_LABELS,
  REVIEW_GROUPS,
  printedApplications,
  printedLabel,
  type ActiveRowSpec,
  type RowSpec,
} from './rows';
import { matrixModel, type TableName } from './templates';
import { LEGACY_COLUMN_LABELS, LEGACY_CUMULATIVE_LABEL } from './legacy';
import { legacyCellKey, type LegacyColumn } from '../record';

/** A blank or placeholder cell: recorded as null, which is not 0. */
export const BLANK = '□';

export interface FormCell {
  kind: 'label' | 'header' | 'value';
  /** A label, or a value as printed: the number with its unit, BLANK (with the placeholder), or '' where the record has no such cell. */
  text: string;
  colSpan?: number;
  rowSpan?: number;
  align?: 'right' | 'center';
  /** Where a text rendering breaks the label, in terminal columns (CJK text has no spaces to wrap at). */
  wrapWidth?: number;
  /** Value cells: the key cells and findings use, e.g. applications.newReceived.total or legacy.<key>. */
  cellKey?: string;
}

export interface FormTable {
  name: TableName;
  title: string;
  /** Column labels of a table with a single header row. */
  head?: string[];
  rows: FormCell[][];
}

export const TABLE_TITLES: Record<TableName, string> = {
  active: '二、主动公开政府信息情况',
  applications: '三、收到和处理政府信息公开申请情况',
  reviewLitigation: '四、政府信息公开行政复议、行政诉讼情况',
  legacy: '政府信息公开工作情况统计表',
};

/** Label columns of table 三: 三、本年度办理结果 | (三)不予公开 | 1.属于国家秘密, in terminal columns. */
const APPLICATION_LABEL_WIDTHS = [10, 12, 26];
const HEADER_WRAP = 8;

function nodeAt(node: TableNode | undefined, rowKey: string): TableNode | undefined {
  let current: TableNode | undefined = node;
  for (const part of rowKey.split('.')) {
    const next: TableNode[string] | undefined = current?.[part];
    current = next !== null && typeof next === 'object' ? next : undefined;
  }
  return current;
}

function valueCell(table: TableName, node: TableNode | undefined, rowKey: string, column: string, colSpan = 1): FormCell {
  const row = nodeAt(node, rowKey);
  const value = row?.[column];
  const unit = row?.[`${column}Unit`];
  const text = value === undefined ? '' : value === null ? BLANK : `${String(value)}${typeof unit === 'string' ? ` ${unit}` : ''}`;
  return { kind: 'value', text, align: 'right', cellKey: `${table}.${rowKey}.${column}`, ...(colSpan > 1 ? { colSpan } : {}) };
}

function layoutActive(node: TableNode, specs: ActiveRowSpec[]): FormCell[][] {
  const width = Math.max(...specs.map((spec) => spec.columns.length));
  // A block's last column takes what is left of the row, as the form's single-column blocks do.
  const spanOf = (spec: ActiveRowSpec, index: number) => (index === spec.columns.length - 1 ? width - index : 1);
  const rows: FormCell[][] = [];
  let item = '';
  for (const spec of specs) {
    if (spec.item !== item) {
      item = spec.item;
      rows.push([{ kind: 'header', text: item, colSpan: width + 1 }]);
      rows.push([
        { kind: 'header', text: '信息内容' },
        ...spec.columns.map((column, index): FormCell => {
          const span = spanOf(spec, index);
          return span === 1 ? { kind: 'header', text: column.label, wrapWidth: HEADER_WRAP * 1.5 } : { kind: 'header', text: column.label, colSpan: span };
        }),
      ]);
    }
    rows.push([{ kind: 'label', text: spec.labels[0] }, ...spec.columns.map((column, index) => valueCell('active', node, spec.key, column.key, spanOf(spec, index)))]);
  }
  return rows;
}

/** How many consecutive rows from `start` share the group label at `depth`. */
function groupLength(rows: RowSpec[], start: number, depth: number): number {
  const group = rows[start].groups?.[depth];
  let end = start;
  while (end < rows.length && rows[end].groups?.[depth] === group) end++;
  return end - start;
}

/** The label cells of a row of table 三: a group cell where a group starts, the row label across the rest. */
function applicationLabelCells(rows: RowSpec[], index: number): FormCell[] {
  const row = rows[index];
  const groups = row.groups ?? [];
  const cells: FormCell[] = [];
  groups.forEach((group, depth) => {
    if (index > 0 && rows[index - 1].groups?.[depth] === group) return;
    cells.push({ kind: 'label', text: group, rowSpan: groupLength(rows, index, depth), wrapWidth: APPLICATION_LABEL_WIDTHS[depth] });
  });
  const span = APPLICATION_LABEL_WIDTHS.length - groups.length;
  const width = APPLICATION_LABEL_WIDTHS.slice(groups.length).reduce((sum, columns) => sum + columns, 0) + 3 * (span - 1);
  cells.push({ kind: 'label', text: printedLabel(row), wrapWidth: width, ...(span > 1 ? { colSpan: span } : {}) });
  return cells;
}

function layoutApplications(node: TableNode, rows: RowSpec[]): FormCell[][] {
  const header = (column: (typeof APPLICANT_COLUMNS)[number], rowSpan?: number): FormCell => ({
    kind: 'header',
    text: APPLICANT_COLUMN_LABELS[column],
    wrapWidth: HEADER_WRAP,
    ...(rowSpan ? { rowSpan } : {}),
  });
  return [
    [
      { kind: 'header', text: '', colSpan: APPLICATION_LABEL_WIDTHS.length, rowSpan: 3 },
      { kind: 'header', text: APPLICANTS_HEADER, colSpan: APPLICANT_COLUMNS.length, align: 'center' },
    ],
    [header('naturalPerson', 2), { kind: 'header', text: ORGANISATIONS_HEADER, colSpan: ORGANISATION_COLUMNS.length, align: 'center' }, header('total', 2)],
    ORGANISATION_COLUMNS.map((column) => header(column)),
    ...rows.map((row, index) => [...applicationLabelCells(rows, index), ...APPLICANT_COLUMNS.map((column) => valueCell('applications', node, row.key, column))]),
  ];
}

function layoutReviewLitigation(node: TableNode): FormCell[][] {
  const outcome = (column: (typeof REVIEW_COLUMNS)[number], rowSpan?: number): FormCell => ({
    kind: 'header',
    text: REVIEW_COLUMN_LABELS[column],
    wrapWidth: 4,
    ...(rowSpan ? { rowSpan } : {}),
  });
  const [review, ...litigation] = REVIEW_GROUPS;
  return [
    [
      { kind: 'header', text: REVIEW_GROUP_LABELS[review], colSpan: REVIEW_COLUMNS.length, align: 'center' },
      { kind: 'header', text: LITIGATION_HEADER, colSpan: REVIEW_COLUMNS.length * litigation.length, align: 'center' },
    ],
    [
      ...REVIEW_COLUMNS.map((column) => outcome(column, 2)),
      ...litigation.map((group): FormCell => ({ kind: 'header', text: REVIEW_GROUP_LABELS[group], colSpan: REVIEW_COLUMNS.length, align: 'center' })),
    ],
    litigation.flatMap(() => REVIEW_COLUMNS.map((column) => outcome(column))),
    REVIEW_GROUPS.flatMap((group) => REVIEW_COLUMNS.map((column) => valueCell('reviewLitigation', node, group, column))),
  ];
}

/** A list with a 历年累计 column prints it after this year's figure. */
const hasCumulative = (list: LegacyIndicator[]) => list.some((indicator) => indicator.cumulative !== undefined);

function layoutLegacy(list: LegacyIndicator[]): FormCell[][] {
  const columns: LegacyColumn[] = hasCumulative(list) ? ['value', 'cumulative'] : ['value'];
  return list.map((indicator): FormCell[] => {
    const label: FormCell = { kind: 'label', text: `${indicator.marker ?? ''}${indicator.label}`, wrapWidth: 40 };
    // A heading of the list has neither unit nor value: it is printed across the row.
    if (indicator.unit === null && indicator.value === null) return [{ ...label, colSpan: 2 + columns.length }];
    const valueCell = (column: LegacyColumn): FormCell => {
      const [value, raw] = column === 'value' ? [indicator.value, indicator.raw] : [indicator.cumulative ?? null, indicator.cumulativeRaw ?? ''];
      const text = value === null ? `${BLANK}${raw ? ` ${raw}` : ''}` : String(value);
      return { kind: 'value', text, align: 'right', cellKey: legacyCellKey(indicator.key, column) };
    };
    return [label, { kind: 'label', text: indicator.unit ?? '' }, ...columns.map(valueCell)];
  });
}

/** The record's tables in form order, each laid out as the template prints it. */
export function layoutForm(record: CanonicalRecord): FormTable[] {
  const { tables, meta } = record;
  const model = matrixModel(meta.template);
  const laidOut: FormTable[] = [];
  if (tables.active) laidOut.push({ name: 'active', title: TABLE_TITLES.active, rows: layoutActive(tables.active, model.active) });
  if (tables.applications) {
    // A group the report printed as one row is laid out as one row.
    const rows = printedApplications(model.applications, tables.applications).rows;
    laidOut.push({ name: 'applications', title: TABLE_TITLES.applications, rows: layoutApplications(tables.applications, rows) });
  }
  if (tables.reviewLitigation) laidOut.push({ name: 'reviewLitigation', title: TABLE_TITLES.reviewLitigation, rows: layoutReviewLitigation(tables.reviewLitigation) });
  if (tables.legacy) laidOut.push({ name: 'legacy', title: TABLE_TITLES.legacy, head: [...LEGACY_COLUMN_LABELS, ...(hasCumulative(tables.legacy) ? [LEGACY_CUMULATIVE_LABEL] : [])], rows: layoutLegacy(tables.legacy) });
  return record.exactValues ? laidOut.map((table) => withExactValues(table, record.exactValues!)) : laidOut;
}

/** A number a double cannot hold exactly (a 20-digit count) is shown as printed, not rounded. */
function withExactValues(table: FormTable, exactValues: Record<string, string>): FormTable {
  const exact = (cell: FormCell): FormCell => {
    const printed = cell.cellKey === undefined ? undefined : exactValues[cell.cellKey];
    return printed === undefined ? cell : { ...cell, text: cell.text.replace(/^\S+/, printed) };
  };
  return { ...table, rows: table.rows.map((row) => row.map(exact)) };
}

/** Whether a finding's cell list concerns a table (it names the table or one of its cells). */
export function concernsTable(cells: readonly string[], table: TableName): boolean {
  return cells.some((cell) => cell === table || cell.startsWith(`${table}.`));
}
