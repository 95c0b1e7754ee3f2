/** NARRATIVE_MISMATCH: a figure the text states differs from the table it summarises. */
import type { CanonicalRecord, Finding, NarrativeKey } from '../../shared/record';
import { cellName, narrativeName } from '../../shared/template/cell-names';
import { compareDecimals, decimalOf, sumDecimals } from '../../shared/decimal';
import { decimalsAt } from './cells';
import { finding } from './finding';

/** Each narrative figure and the table cells whose sum it should equal. */
const NARRATIVE_TO_TABLE: readonly { key: NarrativeKey; cells: readonly string[] }[] = [
  { key: 'applicationsReceived', cells: ['applications.newReceived.total'] },
  { key: 'reviewCases', cells: ['reviewLitigation.review.total'] },
  { key: 'litigationCases', cells: ['reviewLitigation.litigationDirect.total', 'reviewLitigation.litigationAfterReview.total'] },
];

export function checkNarrative(record: CanonicalRecord): Finding[] {
  const findings: Finding[] = [];
  for (const { key, cells } of NARRATIVE_TO_TABLE) {
    const stated = record.narrative[key];
    const values = decimalsAt(record, cells);
    if (stated === undefined || stated === null || values === null) continue;
    const tabled = sumDecimals(values);
    if (compareDecimals(decimalOf(stated), tabled) === 0) continue;
    const source = record.narrativeSources[key];
    const quote = source === undefined ? '' : ` ("${source}")`;
    const table = cells.map((cell, index) => `${cell} ${values[index]}`).join(' + ');
    const tableZh = cells.map((cell, index) => `${cellName(cell)} ${values[index]}`).join(' + ');
    const message = {
      zh: `正文所述${narrativeName(key)}为 ${stated}${source === undefined ? '' : `（“${source}”）`}，而表格为 ${tabled}（${tableZh}）`,
      en: `the text states ${key} = ${stated}${quote} but the table gives ${tabled} (${table})`,
    };
    findings.push(
      finding('NARRATIVE_MISMATCH', message, [
        `narrative.${key}`,
        ...cells,
      ]),
    );
  }
  return findings;
}
