/**
 * The templates' arithmetic, checked on the record: APPLICATIONS_BALANCE, APPLICATIONS_OUTCOMES_SUM,
 * APPLICATIONS_ROW_TOTAL and REVIEW_LITIGATION_TOTAL, one finding per failing equation of the
 * template model, naming its cells. An equation with a blank cell is not assessable and is skipped.
 */
import type { CanonicalRecord, Finding } from '../../shared/record';
import { residual, tableEquations } from '../../shared/template/equations';
import { matrixModel, templateOf } from '../../shared/template/templates';
import { numberAt, numbersAt } from './cells';
import { finding } from './finding';

export function checkEquations(record: CanonicalRecord): Finding[] {
  const findings: Finding[] = [];
  // The tables the record has, with the rows parse read them by.
  for (const equation of tableEquations(matrixModel(templateOf(record)), record.tables)) {
    const cells = equation.terms.map((term) => term.key);
    const values = numbersAt(record.tables, cells);
    if (values === null || residual(equation, (key) => numberAt(record.tables, key)) === 0) continue;
    findings.push(finding(equation.rule, equation.explain(values), cells));
  }
  return findings;
}
