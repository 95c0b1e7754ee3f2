/**
 * The templates' arithmetic, checked on the record: APPLICATIONS_BALANCE, APPLICATIONS_OUTCOMES_SUM,
 * APPLICATIONS_ROW_TOTAL and REVIEW_LITIGATION_TOTAL, one finding per failing equation of the
 * template model, naming its cells. An equation with a blank cell is not assessable and is skipped.
 */
import type { CanonicalRecord, Finding } from '../../shared/record';
import { exactResidual, tableEquations } from '../../shared/template/equations';
import { matrixModel, templateOf } from '../../shared/template/templates';
import { decimalAt, decimalsAt } from './cells';
import { finding } from './finding';

export function checkEquations(record: CanonicalRecord): Finding[] {
  const findings: Finding[] = [];
  // The tables the record has, with the rows parse read them by.
  for (const equation of tableEquations(matrixModel(templateOf(record)), record.tables)) {
    const cells = equation.terms.map((term) => term.key);
    // Exact decimals: a sum over counts beyond 2^53 must not balance by float rounding.
    const values = decimalsAt(record, cells);
    if (values === null || exactResidual(equation, (key) => decimalAt(record, key)) === '0') continue;
    findings.push(finding(equation.rule, equation.explain(values), cells));
  }
  return findings;
}
