/**
 * The three templates of spec §1 as one model: which tables each prints, their rows and columns
 * (rows.ts), the equations between their cells (equations.ts) and the sections of the report. Parse,
 * validate, the CLI form and the web form all read it from here.
 */
import type { CanonicalRecord, ReportTables, TableNode, TemplateId } from '../record';
import {
  ACTIVE_2019,
  ACTIVE_2021,
  APPLICANT_COLUMNS,
  APPLICATIONS_2019,
  APPLICATIONS_2021,
  REVIEW_COLUMNS,
  REVIEW_GROUPS,
  printedApplications,
  type ActiveRowSpec,
  type ApplicationsLayout,
} from './rows';

export type TableName = keyof ReportTables;
export type MatrixTemplate = Exclude<TemplateId, 'pre2019'>;
/** The tables with fixed rows and columns; the pre-2019 list has neither. */
export type MatrixTableName = Exclude<TableName, 'legacy'>;
export const MATRIX_TABLES: readonly MatrixTableName[] = ['active', 'applications', 'reviewLitigation'];

export interface MatrixTemplateModel {
  id: MatrixTemplate;
  active: ActiveRowSpec[];
  applications: ApplicationsLayout;
  /** The six numbered sections' titles, 一 to 六. */
  sections: readonly string[];
}

const SECTIONS_2021 = ['总体情况', '主动公开政府信息情况', '收到和处理政府信息公开申请情况', '政府信息公开行政复议、行政诉讼情况', '存在的主要问题及改进情况', '其他需要报告的事项'];

export const MATRIX_TEMPLATES: Record<MatrixTemplate, MatrixTemplateModel> = {
  '2021': { id: '2021', active: ACTIVE_2021, applications: APPLICATIONS_2021, sections: SECTIONS_2021 },
  '2019': {
    id: '2019',
    active: ACTIVE_2019,
    applications: APPLICATIONS_2019,
    sections: SECTIONS_2021.map((title, index) => (index === 4 ? '政府信息公开工作存在的主要问题及改进情况' : title)),
  },
};

/** The tables each template requires (spec §2 TABLE_MISSING), in the order the report prints them. */
export const TEMPLATE_TABLES: Record<TemplateId, readonly TableName[]> = {
  '2021': MATRIX_TABLES,
  '2019': MATRIX_TABLES,
  pre2019: ['legacy'],
};

/** The template a report of `year` follows, for when its tables could not tell (2021 from 2021, 2019 for 2019 and 2020). */
export function templateForYear(year: number | null): TemplateId | null {
  if (year === null) return null;
  if (year >= 2021) return '2021';
  return year >= 2019 ? '2019' : 'pre2019';
}

/** The template parse detected, or the year's when it could not. */
export function templateOf(record: CanonicalRecord): TemplateId | null {
  return record.meta.template ?? templateForYear(record.meta.year);
}

/** The template when it is one of the two with national tables, else null. */
export function matrixTemplateOf(record: CanonicalRecord): MatrixTemplate | null {
  const template = templateOf(record);
  return template === 'pre2019' ? null : template;
}

/**
 * The tables to read a matrix with: the 2019 template's for '2019', else the 2021 template's (the
 * current form, also tried on an undetected or pre-2019 report that prints a matrix).
 */
export function matrixModel(template: TemplateId | null): MatrixTemplateModel {
  return MATRIX_TEMPLATES[template === '2019' ? '2019' : '2021'];
}

/**
 * Every cell key (`applications.granted.total`) the template gives `table`, as the record holds it:
 * a collapsed group of table 三 has its own cells instead of its sub-rows'.
 */
export function templateCells(model: MatrixTemplateModel, table: MatrixTableName, node: TableNode | undefined): string[] {
  switch (table) {
    case 'active':
      return model.active.flatMap((row) => row.columns.map((column) => `active.${row.key}.${column.key}`));
    case 'applications':
      return printedApplications(model.applications, node).rows.flatMap((row) => APPLICANT_COLUMNS.map((column) => `applications.${row.key}.${column}`));
    case 'reviewLitigation':
      return REVIEW_GROUPS.flatMap((group) => REVIEW_COLUMNS.map((column) => `reviewLitigation.${group}.${column}`));
  }
}
