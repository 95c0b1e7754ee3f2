/** Table 四: REVIEW_LITIGATION_TOTAL. */
import type { CanonicalRecord, Finding } from '../../shared/record';
import { numbersAt, sum } from './cells';
import { finding } from './finding';
import { REVIEW_GROUPS, REVIEW_OUTCOMES } from './layout';

/** 维持 + 纠正 + 其他 + 尚未审结 = 总计, in each of the three groups. */
export function checkReviewLitigation(record: CanonicalRecord): Finding[] {
  if (record.tables.reviewLitigation === undefined) return [];
  const findings: Finding[] = [];
  for (const group of REVIEW_GROUPS) {
    const totalCell = `reviewLitigation.${group}.total`;
    const outcomeCells = REVIEW_OUTCOMES.map((outcome) => `reviewLitigation.${group}.${outcome}`);
    const values = numbersAt(record.tables, [totalCell, ...outcomeCells]);
    if (values === null) continue;
    const [total, ...outcomes] = values;
    const outcomesTotal = sum(outcomes);
    if (outcomesTotal === total) continue;
    const terms = REVIEW_OUTCOMES.map((outcome, index) => `${outcome} ${outcomes[index]}`).join(' + ');
    findings.push(
      finding('REVIEW_LITIGATION_TOTAL', `${group}: ${terms} = ${outcomesTotal} but total = ${total}`, [totalCell, ...outcomeCells]),
    );
  }
  return findings;
}
