/** Table 三's own arithmetic: APPLICATIONS_BALANCE, APPLICATIONS_OUTCOMES_SUM, APPLICATIONS_ROW_TOTAL. */
import type { CanonicalRecord, Finding, ReportTables } from '../../shared/record';
import { numbersAt, sum } from './cells';
import { finding } from './finding';
import { APPLICANT_COLUMNS, APPLICATION_COLUMNS, applicationRows, matrixTemplateOf, outcomeRows, type MatrixTemplate } from './layout';

const cell = (row: string, column: string): string => `applications.${row}.${column}`;

export function checkApplications(record: CanonicalRecord): Finding[] {
  const template = matrixTemplateOf(record);
  if (template === null || record.tables.applications === undefined) return [];
  const tables = record.tables;
  return [...checkBalance(tables), ...checkOutcomesSum(tables, template), ...checkRowTotals(tables, template)];
}

/** The 勾稽关系 printed in the table: 一 + 二 = （七）总计 + 四, in every column. */
function checkBalance(tables: ReportTables): Finding[] {
  const findings: Finding[] = [];
  for (const column of APPLICATION_COLUMNS) {
    const cells = ['newReceived', 'carriedOver', 'totalHandled', 'carriedForward'].map((row) => cell(row, column));
    const values = numbersAt(tables, cells);
    if (values === null) continue;
    const [newReceived, carriedOver, totalHandled, carriedForward] = values;
    const incoming = newReceived + carriedOver;
    const outgoing = totalHandled + carriedForward;
    if (incoming === outgoing) continue;
    findings.push(
      finding(
        'APPLICATIONS_BALANCE',
        `newReceived ${newReceived} + carriedOver ${carriedOver} = ${incoming} but totalHandled ${totalHandled} + carriedForward ${carriedForward} = ${outgoing} in column ${column}`,
        cells,
      ),
    );
  }
  return findings;
}

/** （七）总计 = the sum of the outcome rows, in every column. */
function checkOutcomesSum(tables: ReportTables, template: MatrixTemplate): Finding[] {
  const rows = outcomeRows(template);
  const findings: Finding[] = [];
  for (const column of APPLICATION_COLUMNS) {
    const totalCell = cell('totalHandled', column);
    const outcomeCells = rows.map((row) => cell(row, column));
    const values = numbersAt(tables, [totalCell, ...outcomeCells]);
    if (values === null) continue;
    const [totalHandled, ...outcomes] = values;
    const outcomesTotal = sum(outcomes);
    if (outcomesTotal === totalHandled) continue;
    findings.push(
      finding(
        'APPLICATIONS_OUTCOMES_SUM',
        `the ${rows.length} outcome rows sum to ${outcomesTotal} but totalHandled = ${totalHandled} in column ${column}`,
        [totalCell, ...outcomeCells],
      ),
    );
  }
  return findings;
}

/** 总计 = the six applicant columns, in every row. */
function checkRowTotals(tables: ReportTables, template: MatrixTemplate): Finding[] {
  const findings: Finding[] = [];
  for (const row of applicationRows(template)) {
    const totalCell = cell(row, 'total');
    const applicantCells = APPLICANT_COLUMNS.map((column) => cell(row, column));
    const values = numbersAt(tables, [totalCell, ...applicantCells]);
    if (values === null) continue;
    const [total, ...byApplicant] = values;
    const applicantsTotal = sum(byApplicant);
    if (applicantsTotal === total) continue;
    findings.push(
      finding(
        'APPLICATIONS_ROW_TOTAL',
        `the six applicant columns of ${row} sum to ${applicantsTotal} (${byApplicant.join(' + ')}) but its total = ${total}`,
        [totalCell, ...applicantCells],
      ),
    );
  }
  return findings;
}
