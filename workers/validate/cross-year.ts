/**
 * Checks against the same agency's report for the year before: CARRY_OVER_MISMATCH and
 * STOCK_FLOW_MISMATCH. Cells named in findings are this year's.
 */
import type { CanonicalRecord, Finding } from '../../shared/record';
import { compareDecimals, signedSum } from '../../shared/decimal';
import { decimalAt, decimalsAt } from './cells';
import { finding } from './finding';
import { cellName, columnName, rowName } from '../../shared/template/cell-names';
import { APPLICANT_COLUMNS, DOCUMENT_STOCK_ROWS } from '../../shared/template/rows';
import { matrixTemplateOf } from '../../shared/template/templates';

export function checkAgainstPreviousYear(record: CanonicalRecord, previous: CanonicalRecord | null): Finding[] {
  // A report from any other year would make both flows meaningless, so it is not compared at all.
  if (previous === null || record.meta.year === null || previous.meta.year !== record.meta.year - 1) return [];
  return [...checkCarryOver(record, previous), ...checkDocumentStock(record, previous)];
}

/** This year's 二、上年结转 = last year's 四、结转下年度继续办理, column by column. */
function checkCarryOver(record: CanonicalRecord, previous: CanonicalRecord): Finding[] {
  const findings: Finding[] = [];
  for (const column of APPLICANT_COLUMNS) {
    const carriedOverCell = `applications.carriedOver.${column}`;
    const carriedOver = decimalAt(record, carriedOverCell);
    const carriedForward = decimalAt(previous, `applications.carriedForward.${column}`);
    if (carriedOver === null || carriedForward === null || compareDecimals(carriedOver, carriedForward) === 0) continue;
    findings.push(
      finding(
        'CARRY_OVER_MISMATCH',
        {
          zh: `${cellName(carriedOverCell)} ${carriedOver} ≠ ${previous.meta.year} 年度报告的${cellName(`applications.carriedForward.${column}`)} ${carriedForward}`,
          en: `carriedOver = ${carriedOver} in column ${column} but the ${previous.meta.year} report carried forward ${carriedForward}`,
        },
        [carriedOverCell],
      ),
    );
  }
  return findings;
}

/** 现行有效 = last year's 现行有效 + 本年制发 − 本年废止; the 2019 template has no such stock. */
function checkDocumentStock(record: CanonicalRecord, previous: CanonicalRecord): Finding[] {
  if (matrixTemplateOf(record) !== '2021') return [];
  const label = (column: string) => columnName('active', column);
  const findings: Finding[] = [];
  for (const row of DOCUMENT_STOCK_ROWS) {
    const cells = ['inForce', 'issued', 'repealed'].map((column) => `active.${row}.${column}`);
    const values = decimalsAt(record, cells);
    const previousInForce = decimalAt(previous, `active.${row}.inForce`);
    if (values === null || previousInForce === null) continue;
    const [inForce, issued, repealed] = values;
    const expected = signedSum([
      { value: previousInForce, sign: 1 },
      { value: issued, sign: 1 },
      { value: repealed, sign: -1 },
    ]);
    if (compareDecimals(inForce, expected) === 0) continue;
    findings.push(
      finding(
        'STOCK_FLOW_MISMATCH',
        {
          zh: `${rowName('active', row)}：${label('inForce')} ${inForce} ≠ ${previous.meta.year} 年${label('inForce')} ${previousInForce} + ${label('issued')} ${issued} − ${label('repealed')} ${repealed} = ${expected}`,
          en: `${row}: inForce = ${inForce} but ${previous.meta.year} inForce ${previousInForce} + issued ${issued} − repealed ${repealed} = ${expected}`,
        },
        cells,
      ),
    );
  }
  return findings;
}
