/**
 * The official Chinese names of the tables, rows and cells findings speak of, from the template
 * model: a row as the form prints it (marker and label, under its numbered group), a column by its
 * header, so a reader finds what a finding names in the printed report.
 */
import type { NarrativeKey, TemplateId } from '../record';
import { TABLE_TITLES } from './form-layout';
import { INDICATORS } from './indicators';
import {
  ACTIVE_2019,
  ACTIVE_2021,
  APPLICANT_COLUMN_LABELS,
  APPLICATIONS_2019,
  APPLICATIONS_2021,
  LITIGATION_HEADER,
  REVIEW_COLUMN_LABELS,
  REVIEW_GROUP_LABELS,
  groupAsOneRow,
  printedLabel,
  type RowSpec,
} from './rows';
import type { TableName } from './templates';

export const TEMPLATE_NAMES: Record<TemplateId, string> = {
  '2021': '2021 年版模板',
  '2019': '2019 年版模板',
  pre2019: '2019 年以前的报告格式',
};

/** Table 三's rows of both templates, and each group as the one row a report may print it as. */
const APPLICATION_ROWS = new Map<string, RowSpec>(
  [APPLICATIONS_2021, APPLICATIONS_2019].flatMap((layout) => [...layout.rows, ...layout.groups.map(groupAsOneRow)]).map((row) => [row.key, row]),
);
const ACTIVE_ROWS = new Map([...ACTIVE_2019, ...ACTIVE_2021].map((row) => [row.key, row]));
const ACTIVE_COLUMNS = new Map([...ACTIVE_2019, ...ACTIVE_2021].flatMap((row) => row.columns).map((column) => [column.key, column.label]));

export function tableTitle(table: TableName): string {
  return TABLE_TITLES[table];
}

/** A row of table 三 or 二 as printed, a sub-row after its numbered group: `(三)不予公开 1.属于国家秘密`. */
export function rowName(table: TableName, rowKey: string): string {
  if (table === 'active') return ACTIVE_ROWS.get(rowKey)?.labels[0] ?? rowKey;
  if (table === 'reviewLitigation') return reviewGroupName(rowKey);
  if (table === 'legacy') return rowKey.replace(/#\d+$/, '');
  const row = APPLICATION_ROWS.get(rowKey);
  if (row === undefined) return rowKey;
  const groups = row.groups ?? [];
  // The outermost group (三、本年度办理结果) is shared by every outcome row and says nothing.
  return groups.length > 1 ? `${groups.at(-1)} ${printedLabel(row)}` : printedLabel(row);
}

/** A column by its header: 自然人, 本年制发件数, 结果纠正. */
export function columnName(table: TableName, column: string): string {
  if (table === 'applications') return (APPLICANT_COLUMN_LABELS as Record<string, string>)[column] ?? column;
  if (table === 'reviewLitigation') return (REVIEW_COLUMN_LABELS as Record<string, string>)[column] ?? column;
  if (table === 'legacy') return column === 'cumulative' ? '历年累计' : '本年度';
  return ACTIVE_COLUMNS.get(column) ?? column;
}

/** 行政复议, or 行政诉讼（未经复议直接起诉）. */
export function reviewGroupName(group: string): string {
  const label = (REVIEW_GROUP_LABELS as Record<string, string>)[group];
  if (label === undefined) return group;
  return group === 'review' ? label : `${LITIGATION_HEADER}（${label}）`;
}

/** What findings name besides table cells: the report's metadata and body, by what a reader calls them. */
const OTHER_NAMES: Record<string, string> = {
  'meta.title': '标题',
  'meta.agency': '机构名称',
  'meta.year': '年度',
  'meta.period': '统计期',
  'meta.publishedOn': '发布日期',
  body: '正文',
};

/**
 * A key findings name, as the report names it: a cell as `一、本年新收政府信息公开申请数量·自然人`, a
 * table by its title, a figure of the text by its indicator; an unknown key as it is.
 */
export function cellName(key: string): string {
  const [table, ...rest] = key.split('.');
  if (key in OTHER_NAMES) return OTHER_NAMES[key];
  if (table === 'narrative' && rest.length === 1 && rest[0] in NARRATIVE_INDICATORS) return `正文所述${narrativeName(rest[0] as NarrativeKey)}`;
  if (rest.length === 0 && table in TABLE_TITLES) return tableTitle(table as TableName);
  if (table === 'legacy') {
    const cumulative = rest.at(-1) === 'cumulative';
    return `${rowName('legacy', (cumulative ? rest.slice(0, -1) : rest).join('.'))}${cumulative ? '·历年累计' : ''}`;
  }
  if (!(table in TABLE_TITLES) || rest.length < 2) return key;
  const column = rest.pop()!;
  return `${rowName(table as TableName, rest.join('.'))}·${columnName(table as TableName, column)}`;
}

/** The cross-template indicator each figure of the text states (shared/template/indicators.ts). */
const NARRATIVE_INDICATORS: Record<NarrativeKey, string> = {
  proactiveItems: 'proactive',
  applicationsReceived: 'applicationsReceived',
  reviewCases: 'reviewCases',
  litigationCases: 'litigationCases',
};

/** A figure the report's text states, by the indicator it is. */
export function narrativeName(key: NarrativeKey): string {
  return INDICATORS.find((indicator) => indicator.id === NARRATIVE_INDICATORS[key])?.name ?? key;
}
