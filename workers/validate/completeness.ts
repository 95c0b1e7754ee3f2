/**
 * TABLE_MISSING, CELL_MISSING and SECTION_MISSING: what the template model says the report has but
 * the record lacks, so that nothing the parser failed to read goes unsaid.
 */
import type { CanonicalRecord, Finding, ReportTables } from '../../shared/record';
import { TEMPLATE_NAMES, columnName, rowName, tableTitle } from '../../shared/template/cell-names';
import { rowOf } from '../../shared/template/equations';
import {
  MATRIX_TABLES,
  MATRIX_TEMPLATES,
  TEMPLATE_TABLES,
  matrixModel,
  matrixTemplateOf,
  templateCells,
  templateOf,
  type MatrixTableName,
  type MatrixTemplateModel,
  type TableName,
} from '../../shared/template/templates';
import { cellExists, numberAt } from './cells';
import { finding } from './finding';

const SECTION_NUMERALS = ['一', '二', '三', '四', '五', '六'];

export function checkTablesPresent(record: CanonicalRecord): Finding[] {
  const template = templateOf(record);
  if (template === null) return [];
  const findings: Finding[] = [];
  for (const tableName of TEMPLATE_TABLES[template]) {
    const problem = describeMissing(record, tableName);
    if (problem !== null) {
      findings.push(
        finding(
          'TABLE_MISSING',
          {
            zh: `${TEMPLATE_NAMES[template]}要求的表格“${tableTitle(tableName)}”${problem === 'absent' ? '缺失' : '没有任何数值'}`,
            en: `table ${tableName}, required by the ${template} template, ${problem === 'absent' ? 'is absent' : 'has no values'}`,
          },
          [tableName],
        ),
      );
    }
  }
  return findings;
}

/** Why the table counts as missing, or null when one of its cells has a value. */
function describeMissing(record: CanonicalRecord, tableName: TableName): 'absent' | 'empty' | null {
  const { tables } = record;
  if (tableName === 'legacy') {
    if (tables.legacy === undefined || tables.legacy.length === 0) return 'absent';
    return tables.legacy.every((indicator) => indicator.value === null) ? 'empty' : null;
  }
  if (tables[tableName] === undefined) return 'absent';
  return hasValues(matrixModel(templateOf(record)), tables, tableName) ? null : 'empty';
}

/** Whether one of the table's template cells holds a number. */
function hasValues(model: MatrixTemplateModel, tables: ReportTables, tableName: MatrixTableName): boolean {
  return templateCells(model, tableName, tables[tableName]).some((cell) => numberAt(tables, cell) !== null);
}

/**
 * Each row of a table that was read whose template cells are not all in the record: one finding per
 * row, naming the absent cells. A blank cell is recorded (null, its placeholder kept) and is not
 * absent; cells a parse finding already names, or that lie in a group parse reported as collapsed,
 * are accounted for.
 */
export function checkCellsPresent(record: CanonicalRecord): Finding[] {
  const template = matrixTemplateOf(record);
  if (template === null) return [];
  const model = MATRIX_TEMPLATES[template];
  const accounted = accountedFor(record);
  const findings: Finding[] = [];
  for (const tableName of MATRIX_TABLES) {
    if (!hasValues(model, record.tables, tableName)) continue;
    const absent = templateCells(model, tableName, record.tables[tableName]).filter((cell) => !cellExists(record.tables, cell) && !accounted(cell));
    for (const [row, cells] of byRow(absent)) {
      const columns = cells.map((cell) => cell.slice(cell.lastIndexOf('.') + 1));
      findings.push(
        finding(
          'CELL_MISSING',
          {
            zh: `${tableTitle(tableName)} ${rowName(tableName, row)}：未读出${columns.map((column) => `“${columnName(tableName, column)}”`).join('、')}（${TEMPLATE_NAMES[template]}有这些栏目）`,
            en: `${tableName} row ${row}: ${columns.join(', ')} not read (the ${template} template has them)`,
          },
          cells,
        ),
      );
    }
  }
  return findings;
}

function accountedFor(record: CanonicalRecord): (cell: string) => boolean {
  const named = new Set(record.findings.flatMap((parseFinding) => parseFinding.cells));
  const collapsedRows = record.findings
    .filter((parseFinding) => parseFinding.rule === 'ROW_COLLAPSED')
    .flatMap((parseFinding) => parseFinding.cells.map((cell) => `${cell.slice(0, cell.lastIndexOf('.'))}.`));
  return (cell) => named.has(cell) || collapsedRows.some((prefix) => cell.startsWith(prefix));
}

function byRow(cells: string[]): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const cell of cells) rows.set(rowOf(cell), [...(rows.get(rowOf(cell)) ?? []), cell]);
  return rows;
}

/** The six numbered sections belong to the national templates; pre-2019 reports are free-form. */
export function checkSectionsPresent(record: CanonicalRecord): Finding[] {
  const template = matrixTemplateOf(record);
  if (template === null) return [];
  const present = new Set(record.sections.filter((section) => section.present).map((section) => section.number));
  return MATRIX_TEMPLATES[template].sections.flatMap((title, index) =>
    present.has(index + 1)
      ? []
      : [finding('SECTION_MISSING', { zh: `缺少第${SECTION_NUMERALS[index]}部分“${SECTION_NUMERALS[index]}、${title}”`, en: `section ${SECTION_NUMERALS[index]}、${title} is absent` }, [])],
  );
}
