/**
 * LEGACY_SUBTOTAL: the pre-2019 indicator list's own part–whole relations, and only those the list
 * marks by its outline markers (LegacyIndicator.marker, never the label text):
 * - numbered items (1. 2. …) sum to the nearest （一）-level indicator above them, and （一）（二）… sum
 *   to the 一、-level indicator above them ("各子栏目数总数要等于总栏目数量");
 * - a 其中 line is part of the nearest indicator above it that is not itself a 其中 line, so it
 *   cannot exceed it.
 * Unmarked lines are never parts, and a relation is checked only when the whole and every part have a
 * value and the same unit: the list is free-form, so doubt means no finding.
 */
import type { CanonicalRecord, Finding, LegacyIndicator } from '../../shared/record';
import { legacyKey, sum } from './cells';
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

export function checkLegacySubtotals(record: CanonicalRecord): Finding[] {
  const list = record.tables.legacy ?? [];
  return [...checkOutlineSums(list), ...checkPartLines(list)];
}

/** Each 一、 and （一） indicator against the indicators one level below it, up to the next at its level or above. */
function checkOutlineSums(list: readonly LegacyIndicator[]): Finding[] {
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
    const values = parts.length < 2 ? null : comparableValues(whole, parts);
    if (values === null) return;
    const partsTotal = roundAmount(sum(values.parts));
    if (partsTotal === values.whole) return;
    const terms = parts.map((part) => `${printed(part)} ${part.value}`).join(' + ');
    findings.push(
      finding('LEGACY_SUBTOTAL', `the items under "${printed(whole)}" sum to ${partsTotal} (${terms}) but it states ${whole.value}`, [
        legacyKey(whole.key),
        ...parts.map((part) => legacyKey(part.key)),
      ]),
    );
  });
  return findings;
}

function checkPartLines(list: readonly LegacyIndicator[]): Finding[] {
  const findings: Finding[] = [];
  list.forEach((part, index) => {
    if (part.marker !== PART_MARKER) return;
    // Consecutive 其中 lines share the indicator above the first of them.
    let wholeIndex = index - 1;
    while (wholeIndex >= 0 && list[wholeIndex].marker === PART_MARKER) wholeIndex--;
    if (wholeIndex < 0) return;
    const whole = list[wholeIndex];
    const values = comparableValues(whole, [part]);
    if (values === null || values.parts[0] <= values.whole) return;
    findings.push(
      finding('LEGACY_SUBTOTAL', `"${printed(part)}" = ${part.value} exceeds the indicator it is part of, "${printed(whole)}" = ${whole.value}`, [
        legacyKey(part.key),
        legacyKey(whole.key),
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
function comparableValues(whole: LegacyIndicator, parts: readonly LegacyIndicator[]): { whole: number; parts: number[] } | null {
  if (whole.value === null) return null;
  const values: number[] = [];
  for (const part of parts) {
    if (part.value === null || part.unit !== whole.unit) return null;
    values.push(part.value);
  }
  return { whole: whole.value, parts: values };
}

/** Money indicators carry decimals; summing them must not invent a mismatch from binary rounding. */
function roundAmount(value: number): number {
  return Number(value.toFixed(6));
}
