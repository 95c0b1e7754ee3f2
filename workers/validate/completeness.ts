/** TABLE_MISSING and SECTION_MISSING: what the template requires but the record lacks. */
import type { CanonicalRecord, Finding, ReportTables, TemplateId } from '../../shared/record';
import { leaves } from './cells';
import { finding } from './finding';
import { matrixTemplateOf, templateOf, type MatrixTemplate } from './layout';

const REQUIRED_TABLES: Record<TemplateId, readonly (keyof ReportTables)[]> = {
  '2021': ['active', 'applications', 'reviewLitigation'],
  '2019': ['active', 'applications', 'reviewLitigation'],
  pre2019: ['legacy'],
};

const SECTION_TITLES: Record<MatrixTemplate, readonly string[]> = {
  '2021': ['总体情况', '主动公开政府信息情况', '收到和处理政府信息公开申请情况', '政府信息公开行政复议、行政诉讼情况', '存在的主要问题及改进情况', '其他需要报告的事项'],
  '2019': ['总体情况', '主动公开政府信息情况', '收到和处理政府信息公开申请情况', '政府信息公开行政复议、行政诉讼情况', '政府信息公开工作存在的主要问题及改进情况', '其他需要报告的事项'],
};
const SECTION_NUMERALS = ['一', '二', '三', '四', '五', '六'];

export function checkTablesPresent(record: CanonicalRecord): Finding[] {
  const template = templateOf(record);
  if (template === null) return [];
  const findings: Finding[] = [];
  for (const tableName of REQUIRED_TABLES[template]) {
    const problem = describeMissing(record.tables, tableName);
    if (problem !== null) {
      findings.push(finding('TABLE_MISSING', `table ${tableName}, required by the ${template} template, ${problem}`, [tableName]));
    }
  }
  return findings;
}

/** Why the table counts as missing, or null when it has at least one value. */
function describeMissing(tables: ReportTables, tableName: keyof ReportTables): string | null {
  if (tableName === 'legacy') {
    if (tables.legacy === undefined || tables.legacy.length === 0) return 'is absent';
    return tables.legacy.every((indicator) => indicator.value === null) ? 'has no values' : null;
  }
  const table = tables[tableName];
  if (table === undefined) return 'is absent';
  for (const [, value] of leaves(table, tableName)) if (typeof value === 'number') return null;
  return 'has no values';
}

/** The six numbered sections belong to the national templates; pre-2019 reports are free-form. */
export function checkSectionsPresent(record: CanonicalRecord): Finding[] {
  const template = matrixTemplateOf(record);
  if (template === null) return [];
  const present = new Set(record.sections.filter((section) => section.present).map((section) => section.number));
  return SECTION_TITLES[template].flatMap((title, index) =>
    present.has(index + 1) ? [] : [finding('SECTION_MISSING', `section ${SECTION_NUMERALS[index]}、${title} is absent`, [])],
  );
}
