/**
 * NUMBER_FORMAT: a number cell the forms cannot hold. The tables print counts and amounts as plain
 * decimals; a cell in scientific notation (1.5e3) or with misplaced thousands separators (1,23,456)
 * keeps its printed text and no value, and a plain number with more integer digits than any count or
 * amount can have keeps its exact value. Either way the report names the cell, as an error: the figure
 * cannot be taken into totals.
 */
import { integerDigits, isExactNumber } from '../../shared/decimal';
import type { Bilingual, ExtractedCell, Finding } from '../../shared/record';
import { RULES } from '../../shared/record';
import { cellName } from '../../shared/template/cell-names';
import { isGarbledNumber, malformedNumberForm } from './cells';
import { cellKey } from './ocr-confidence';

/**
 * Integer digits a figure may have: 10^15 is beyond any count a government office handles (China has
 * 1.4 × 10^9 people) and any amount it states (national revenue is about 2 × 10^13 元). Up to 15 digits a
 * double holds every integer exactly, so a figure within the limit is also exact in plain arithmetic.
 */
export const MAX_INTEGER_DIGITS = 15;

/** NUMBER_FORMAT findings for `cells`; OCR misreadings are LOW_CONFIDENCE_CELL's, so they are left to it. */
export function reviewNumberFormats(cells: readonly ExtractedCell[], ocrPages: ReadonlySet<number>): Finding[] {
  const findings: Finding[] = [];
  for (const cell of cells) {
    const problem = formatProblem(cell, ocrPages.has(cell.provenance.page));
    if (problem === null) continue;
    const key = cellKey(cell);
    findings.push({
      rule: 'NUMBER_FORMAT',
      severity: RULES.NUMBER_FORMAT,
      message: `${cellName(key)} 印为“${cell.raw.trim()}”：${problem.zh}`,
      messageEn: `${key} is printed as '${cell.raw.trim()}': ${problem.en}`,
      cells: [key],
    });
  }
  return findings;
}

function formatProblem(cell: ExtractedCell, onOcrPage: boolean): Bilingual | null {
  if (cell.exact !== undefined) {
    const digits = integerDigits(cell.exact);
    if (digits <= MAX_INTEGER_DIGITS) return null;
    return {
      zh: `整数部分有 ${digits} 位，超过任何件数或金额可能有的 ${MAX_INTEGER_DIGITS} 位；按印出的数字原样保存`,
      en: `it has ${digits} digits before the point, more than the ${MAX_INTEGER_DIGITS} any count or amount can have; it is kept exactly as printed`,
    };
  }
  if (cell.value !== null || (onOcrPage && isGarbledNumber(cell.raw))) return null;
  const form = malformedNumberForm(cell.raw);
  if (form === 'exponent') {
    return { zh: '以科学计数法印出，表格中的数字不这样书写；不读取其数值', en: 'scientific notation, which the tables never print; its value is not read' };
  }
  if (form === 'separators') {
    return { zh: '千位分隔符位置不规范；不读取其数值', en: 'thousands separators out of place; its value is not read' };
  }
  return null;
}

/** The exact decimals the record's tables cannot hold as numbers, by cell key (CanonicalRecord.exactValues). */
export function exactValuesOf(cells: readonly ExtractedCell[]): Record<string, string> {
  const exact: Record<string, string> = {};
  for (const cell of cells) {
    if (cell.exact !== undefined && !isExactNumber(cell.exact, cell.value)) exact[cellKey(cell)] = cell.exact;
  }
  return exact;
}
