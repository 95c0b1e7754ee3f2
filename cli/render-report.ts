/**
 * The human view of `gongkai parse`: metadata, then each table laid out like the official form, with
 * the template's Chinese row and column labels (from the parser's label tables), merged group cells
 * as in the form, blank cells shown as □ (never as 0), and every finding numbered: its number marks
 * the cells it concerns and its text follows the table; findings about no table come last.
 */
import type Table from 'cli-table3';
import {
  ACTIVE_2019,
  ACTIVE_2021,
  APPLICANT_COLUMN_LABELS,
  APPLICANT_COLUMNS,
  APPLICANTS_HEADER,
  APPLICATIONS_2019,
  APPLICATIONS_2021,
  LITIGATION_HEADER,
  ORGANISATION_COLUMNS,
  ORGANISATIONS_HEADER,
  REVIEW_COLUMN_LABELS,
  REVIEW_COLUMNS,
  REVIEW_GROUP_LABELS,
  REVIEW_GROUPS,
  printedLabel,
  type ActiveRowSpec,
  type RowSpec,
} from '../workers/parse/canonical';
import { LEGACY_COLUMN_LABELS } from '../workers/parse/tables/legacy';
import type { CanonicalRecord, Finding, LegacyIndicator, ReportTables, TableNode } from '../shared/record';
import { createTable } from './table';

/** A blank or placeholder cell: recorded as null, which is not 0. */
export const BLANK = '□';
const LEGEND = `${BLANK} blank or placeholder cell (not 0)   [n] the cell is named by finding n`;

/** Label columns of table 三: 三、本年度办理结果 | (三)不予公开 | 1.属于国家秘密, in display columns. */
const APPLICATION_LABEL_WIDTHS = [10, 12, 26];
const HEADER_WRAP = 8;

type TableName = keyof ReportTables;

/** Findings numbered in record order; `shown` keeps track of those already printed beside a table. */
class FindingIndex {
  private readonly shown = new Set<number>();

  constructor(private readonly findings: readonly Finding[]) {}

  /** ' [1,3]' for the findings naming the cell, '' for none. */
  markerFor(cellKey: string): string {
    const numbers = this.findings.flatMap((finding, index) => (finding.cells.includes(cellKey) ? [index + 1] : []));
    return numbers.length > 0 ? ` [${numbers.join(',')}]` : '';
  }

  /** The notes of the findings that concern the table, each printed once. */
  notesFor(table: TableName): string[] {
    return this.take((finding) => finding.cells.some((cell) => cell === table || cell.startsWith(`${table}.`)));
  }

  remainingNotes(): string[] {
    return this.take(() => true);
  }

  private take(concerns: (finding: Finding) => boolean): string[] {
    const notes: string[] = [];
    this.findings.forEach((finding, index) => {
      if (this.shown.has(index) || !concerns(finding)) return;
      this.shown.add(index);
      notes.push(`  [${index + 1}] ${finding.severity.toUpperCase()} ${finding.rule}: ${finding.message}`);
    });
    return notes;
  }
}

/** Display width: CJK characters take two terminal columns. */
function displayWidth(text: string): number {
  let width = 0;
  for (const character of text) width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(character) ? 2 : 1;
  return width;
}

/** Breaks a label into lines of at most `width` columns (CJK text has no spaces to wrap at). */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const character of text) {
    if (line !== '' && displayWidth(line + character) > width) {
      lines.push(line);
      line = '';
    }
    line += character;
  }
  return [...lines, line].join('\n');
}

function nodeAt(node: TableNode | undefined, rowKey: string): TableNode | undefined {
  let current: TableNode | undefined = node;
  for (const part of rowKey.split('.')) {
    const next: TableNode[string] | undefined = current?.[part];
    current = next !== null && typeof next === 'object' ? next : undefined;
  }
  return current;
}

/** A value cell: the number (with a unit printed beside it), □ for blank, '' where the record has no such cell. */
function valueCell(table: TableName, node: TableNode | undefined, rowKey: string, column: string, findings: FindingIndex, colSpan = 1): Table.Cell {
  const row = nodeAt(node, rowKey);
  const value = row?.[column];
  const unit = row?.[`${column}Unit`];
  const shown = value === undefined ? '' : value === null ? BLANK : `${String(value)}${typeof unit === 'string' ? ` ${unit}` : ''}`;
  return { content: shown + findings.markerFor(`${table}.${rowKey}.${column}`), hAlign: 'right', colSpan };
}

function renderActive(node: TableNode, specs: ActiveRowSpec[], findings: FindingIndex): string {
  const width = Math.max(...specs.map((spec) => spec.columns.length));
  // A block's last column takes what is left of the row, as the form's single-column blocks do.
  const spanOf = (spec: ActiveRowSpec, index: number) => (index === spec.columns.length - 1 ? width - index : 1);
  const table = createTable([]);
  let item = '';
  for (const spec of specs) {
    if (spec.item !== item) {
      item = spec.item;
      table.push([{ content: item, colSpan: width + 1 }]);
      const header = (label: string, span: number) => ({ content: span === 1 ? wrap(label, HEADER_WRAP * 1.5) : label, colSpan: span });
      table.push(['信息内容', ...spec.columns.map((column, index) => header(column.label, spanOf(spec, index)))]);
    }
    table.push([spec.labels[0], ...spec.columns.map((column, index) => valueCell('active', node, spec.key, column.key, findings, spanOf(spec, index)))]);
  }
  return table.toString();
}

/** How many consecutive rows from `start` share the group label at `depth`. */
function groupLength(rows: RowSpec[], start: number, depth: number): number {
  const group = rows[start].groups?.[depth];
  let end = start;
  while (end < rows.length && rows[end].groups?.[depth] === group) end++;
  return end - start;
}

/** The label cells of a row of table 三: a group cell where a group starts, the row label across the rest. */
function applicationLabelCells(rows: RowSpec[], index: number): Table.Cell[] {
  const row = rows[index];
  const groups = row.groups ?? [];
  const cells: Table.Cell[] = [];
  groups.forEach((group, depth) => {
    if (index > 0 && rows[index - 1].groups?.[depth] === group) return;
    cells.push({ content: wrap(group, APPLICATION_LABEL_WIDTHS[depth]), rowSpan: groupLength(rows, index, depth), vAlign: 'center' });
  });
  const span = APPLICATION_LABEL_WIDTHS.length - groups.length;
  const width = APPLICATION_LABEL_WIDTHS.slice(groups.length).reduce((sum, columns) => sum + columns, 0) + 3 * (span - 1);
  cells.push({ content: wrap(printedLabel(row), width), colSpan: span });
  return cells;
}

function renderApplications(node: TableNode, rows: RowSpec[], findings: FindingIndex): string {
  const table = createTable([]);
  const labelSpan = APPLICATION_LABEL_WIDTHS.length;
  const headerOf = (column: (typeof APPLICANT_COLUMNS)[number]) => wrap(APPLICANT_COLUMN_LABELS[column], HEADER_WRAP);
  table.push(
    [{ content: '', colSpan: labelSpan, rowSpan: 3 }, { content: APPLICANTS_HEADER, colSpan: APPLICANT_COLUMNS.length, hAlign: 'center' }],
    [
      { content: headerOf('naturalPerson'), rowSpan: 2 },
      { content: ORGANISATIONS_HEADER, colSpan: ORGANISATION_COLUMNS.length, hAlign: 'center' },
      { content: headerOf('total'), rowSpan: 2 },
    ],
    ORGANISATION_COLUMNS.map(headerOf),
  );
  rows.forEach((row, index) => {
    table.push([...applicationLabelCells(rows, index), ...APPLICANT_COLUMNS.map((column) => valueCell('applications', node, row.key, column, findings))]);
  });
  return table.toString();
}

function renderReviewLitigation(node: TableNode, findings: FindingIndex): string {
  const table = createTable([]);
  const outcomes = REVIEW_COLUMNS.map((column) => wrap(REVIEW_COLUMN_LABELS[column], 4));
  const [review, ...litigation] = REVIEW_GROUPS;
  table.push(
    [
      { content: REVIEW_GROUP_LABELS[review], colSpan: outcomes.length, hAlign: 'center' },
      { content: LITIGATION_HEADER, colSpan: outcomes.length * litigation.length, hAlign: 'center' },
    ],
    [
      ...outcomes.map((content) => ({ content, rowSpan: 2 })),
      ...litigation.map((group) => ({ content: REVIEW_GROUP_LABELS[group], colSpan: outcomes.length, hAlign: 'center' as const })),
    ],
    litigation.flatMap(() => outcomes),
    REVIEW_GROUPS.flatMap((group) => REVIEW_COLUMNS.map((column) => valueCell('reviewLitigation', node, group, column, findings))),
  );
  return table.toString();
}

function renderLegacy(list: LegacyIndicator[], findings: FindingIndex): string {
  const table = createTable([...LEGACY_COLUMN_LABELS]);
  for (const indicator of list) {
    const label = wrap(`${indicator.marker ?? ''}${indicator.label}`, 40);
    // A heading of the list has neither unit nor value: it is printed across the row.
    if (indicator.unit === null && indicator.value === null) {
      table.push([{ content: label, colSpan: 3 }]);
      continue;
    }
    const value = indicator.value === null ? `${BLANK}${indicator.raw ? ` ${indicator.raw}` : ''}` : String(indicator.value);
    table.push([label, indicator.unit ?? '', { content: value + findings.markerFor(`legacy.${indicator.key}`), hAlign: 'right' }]);
  }
  return table.toString();
}

const TABLE_TITLES: Record<TableName, string> = {
  active: '二、主动公开政府信息情况',
  applications: '三、收到和处理政府信息公开申请情况',
  reviewLitigation: '四、政府信息公开行政复议、行政诉讼情况',
  legacy: '政府信息公开工作情况统计表',
};

function renderTables(record: CanonicalRecord, findings: FindingIndex): Array<[TableName, string]> {
  const { tables, meta } = record;
  const is2019 = meta.template === '2019';
  const rendered: Array<[TableName, string]> = [];
  if (tables.active) rendered.push(['active', renderActive(tables.active, is2019 ? ACTIVE_2019 : ACTIVE_2021, findings)]);
  if (tables.applications) {
    rendered.push(['applications', renderApplications(tables.applications, (is2019 ? APPLICATIONS_2019 : APPLICATIONS_2021).rows, findings)]);
  }
  if (tables.reviewLitigation) rendered.push(['reviewLitigation', renderReviewLitigation(tables.reviewLitigation, findings)]);
  if (tables.legacy) rendered.push(['legacy', renderLegacy(tables.legacy, findings)]);
  return rendered;
}

export function renderReport(record: CanonicalRecord): string {
  const { meta, narrative } = record;
  const findings = new FindingIndex(record.findings);
  const lines = [
    `${meta.title ?? record.source.fileName}`,
    `agency: ${meta.agency ?? '?'}   year: ${meta.year ?? '?'}   template: ${meta.template ?? '?'}   script: ${meta.script}   published: ${meta.publishedOn ?? '?'}`,
    `sections: ${record.sections.map((section) => `${section.number}${section.present ? '✓' : '✗'}`).join(' ')}`,
    `narrative: ${Object.entries(narrative).map(([key, value]) => `${key}=${value ?? '?'}`).join('  ') || 'none'}`,
    LEGEND,
  ];
  for (const [name, table] of renderTables(record, findings)) {
    lines.push('', TABLE_TITLES[name], table, ...findings.notesFor(name));
  }
  const remaining = findings.remainingNotes();
  lines.push('', record.findings.length === 0 ? 'no findings' : remaining.length > 0 ? 'other findings:' : 'no other findings');
  lines.push(...remaining);
  return lines.join('\n');
}
