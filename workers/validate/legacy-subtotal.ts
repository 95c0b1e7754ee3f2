/**
 * LEGACY_SUBTOTAL: the pre-2019 indicator list's own part–whole relations, and only those the list
 * marks by its outline markers (LegacyIndicator.marker, never the label text):
 * - numbered items (1. 2. …) sum to the nearest （一）-level indicator above them, and （一）（二）… sum
 *   to the 一、-level indicator above them ("各子栏目数总数要等于总栏目数量");
 * - a 其中 line is part of the nearest indicator above it that is not itself a 其中 line, so it
 *   cannot exceed it.
 * Unmarked lines are never parts, and a relation is checked only when the whole and every part have a
 * value and the same unit: the list is free-form, so doubt means no finding. Lists with a 历年累计
 * column are checked in it too: cumulative figures add up like this year's.
 */
import { legacyCellKey, type Bilingual, type CanonicalRecord, type Finding, type LegacyColumn, type LegacyIndicator } from '../../shared/record';
import { compareDecimals, decimalOf, sumDecimals } from '../../shared/decimal';
import { finding } from './finding';

/** Outline depth of the markers that build sums: 一、 above （一） above 1. */
const SUMMING_DEPTHS: readonly [number, RegExp][] = [
  [0, /^[一二三四五六七八九十]+、$/],
  [1, /^\([一二三四五六七八九十]+\)$/],
  [2, /^\d+\.$/],
];
const PART_MARKER = '其中';

/** Depth in the 一、/（一）/1. outline, or null for 其中 and unmarked lines, which build no sums. */
function depthOf(indicator: LegacyIndicator): number | null {
  const marker = indicator.marker;
  if (marker === null) return null;
  return SUMMING_DEPTHS.find(([, pattern]) => pattern.test(marker))?.[0] ?? null;
}

/** An indicator's figure in a column as an exact decimal, or null when blank. */
type ValueIn = (indicator: LegacyIndicator, column: LegacyColumn) => string | null;

export function checkLegacySubtotals(record: CanonicalRecord): Finding[] {
  const list = record.tables.legacy ?? [];
  const columns: LegacyColumn[] = list.some((indicator) => indicator.cumulative !== undefined) ? ['value', 'cumulative'] : ['value'];
  // Exact decimals, so amounts add up as printed (no binary rounding) and huge counts are not rounded.
  const valueIn: ValueIn = (indicator, column) => {
    const exact = record.exactValues?.[legacyCellKey(indicator.key, column)];
    if (exact !== undefined) return exact;
    const value = column === 'value' ? indicator.value : (indicator.cumulative ?? null);
    return value === null ? null : decimalOf(value);
  };
  return columns.flatMap((column) => [...checkOutlineSums(list, column, valueIn), ...checkPartLines(list, column, valueIn)]);
}

/** How a message names the column: this year's figures plainly, the cumulative ones as such. */
function columnNote(column: LegacyColumn): Bilingual {
  return column === 'value' ? { zh: '', en: '' } : { zh: '（历年累计）', en: ' (历年累计)' };
}

/** Each 一、 and （一） indicator against the indicators one level below it, up to the next at its level or above. */
function checkOutlineSums(list: readonly LegacyIndicator[], column: LegacyColumn, valueIn: ValueIn): Finding[] {
  const depths = list.map(depthOf);
  const findings: Finding[] = [];
  list.forEach((whole, index) => {
    const depth = depths[index];
    if (depth === null) return;
    const parts: LegacyIndicator[] = [];
    for (let next = index + 1; next < list.length; next++) {
      const nextDepth = depths[next];
      if (nextDepth !== null && nextDepth <= depth) break;
      if (nextDepth === depth + 1) parts.push(list[next]);
    }
    // A lone sub-item is a list, not a breakdown.
    const values = parts.length < 2 ? null : comparableValues(whole, parts, column, valueIn);
    if (values === null) return;
    const partsTotal = sumDecimals(values.parts);
    if (compareDecimals(partsTotal, values.whole) === 0) return;
    const terms = parts.map((part) => `${printed(part)} ${valueIn(part, column)}`).join(' + ');
    const note = columnNote(column);
    const message = {
      zh: `“${printed(whole)}”${note.zh} ${values.whole} ≠ 其下各项之和 ${partsTotal}（${terms}）`,
      en: `the items under "${printed(whole)}"${note.en} sum to ${partsTotal} (${terms}) but it states ${values.whole}`,
    };
    findings.push(
      finding('LEGACY_SUBTOTAL', message, [
        legacyCellKey(whole.key, column),
        ...parts.map((part) => legacyCellKey(part.key, column)),
      ]),
    );
  });
  return findings;
}

function checkPartLines(list: readonly LegacyIndicator[], column: LegacyColumn, valueIn: ValueIn): Finding[] {
  const findings: Finding[] = [];
  list.forEach((part, index) => {
    if (part.marker !== PART_MARKER) return;
    // Consecutive 其中 lines share the indicator above the first of them.
    let wholeIndex = index - 1;
    while (wholeIndex >= 0 && list[wholeIndex].marker === PART_MARKER) wholeIndex--;
    if (wholeIndex < 0) return;
    const whole = list[wholeIndex];
    const values = comparableValues(whole, [part], column, valueIn);
    if (values === null || compareDecimals(values.parts[0], values.whole) <= 0) return;
    const note = columnNote(column);
    const message = {
      zh: `“${printed(part)}”${note.zh} ${values.parts[0]} 超过其所属指标“${printed(whole)}” ${values.whole}`,
      en: `"${printed(part)}"${note.en} = ${values.parts[0]} exceeds the indicator it is part of, "${printed(whole)}" = ${values.whole}`,
    };
    findings.push(
      finding('LEGACY_SUBTOTAL', message, [
        legacyCellKey(part.key, column),
        legacyCellKey(whole.key, column),
      ]),
    );
  });
  return findings;
}

/** The indicator as the list prints it, marker included, so a message can be found in the report. */
function printed(indicator: LegacyIndicator): string {
  return `${indicator.marker ?? ''}${indicator.label}`;
}

/**
 * The values of a part–whole relation, or null when it is not assessable: a blank value (blank is
 * not 0) or a unit that differs from the whole's (a missing unit included).
 */
function comparableValues(whole: LegacyIndicator, parts: readonly LegacyIndicator[], column: LegacyColumn, valueIn: ValueIn): { whole: string; parts: string[] } | null {
  const wholeValue = valueIn(whole, column);
  if (wholeValue === null) return null;
  const values: string[] = [];
  for (const part of parts) {
    const partValue = valueIn(part, column);
    if (partValue === null || part.unit !== whole.unit) return null;
    values.push(partValue);
  }
  return { whole: wholeValue, parts: values };
}
