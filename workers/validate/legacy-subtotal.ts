/**
 * LEGACY_SUBTOTAL: the pre-2019 indicator list's own part–whole relations, and only those the list
 * marks by its outline:
 * - numbered items (1. 2. …) under a （一）-level indicator sum to it ("各子栏目数总数要等于总栏目数量");
 * - a "其中" line is part of the indicator above it, so it cannot exceed it.
 * Unmarked lines are never treated as parts, and a relation is checked only when every value in it
 * is present and the units agree: the list is free-form, so doubt means no finding.
 */
import type { CanonicalRecord, Finding, LegacyIndicator } from '../../shared/record';
import { legacyKey, sum } from './cells';
import { finding } from './finding';

type Outline = 'chapter' | 'section' | 'item' | 'part' | 'unmarked';

const OUTLINE_MARKERS: readonly [Outline, RegExp][] = [
  ['chapter', /^[一二三四五六七八九十]+、/],
  ['section', /^[(（][一二三四五六七八九十]+[)）]/],
  ['item', /^\d+[.．、]/],
  ['part', /^其中/],
];

function outlineOf(indicator: LegacyIndicator): Outline {
  const label = indicator.label.replace(/\s+/g, '');
  return OUTLINE_MARKERS.find(([, marker]) => marker.test(label))?.[0] ?? 'unmarked';
}

export function checkLegacySubtotals(record: CanonicalRecord): Finding[] {
  const list = record.tables.legacy ?? [];
  const outline = list.map(outlineOf);
  return [...checkItemSums(list, outline), ...checkParts(list, outline)];
}

function checkItemSums(list: readonly LegacyIndicator[], outline: readonly Outline[]): Finding[] {
  const findings: Finding[] = [];
  list.forEach((parent, index) => {
    if (outline[index] !== 'section') return;
    const items: LegacyIndicator[] = [];
    for (let next = index + 1; next < list.length && outline[next] !== 'section' && outline[next] !== 'chapter'; next++) {
      if (outline[next] === 'item') items.push(list[next]);
    }
    // A lone numbered line is a list, not a breakdown.
    const values = items.length < 2 ? null : comparableValues(parent, items);
    if (values === null) return;
    const itemsTotal = roundAmount(sum(values.parts));
    if (itemsTotal === values.parent) return;
    const terms = items.map((item) => `${item.label} ${item.value}`).join(' + ');
    findings.push(
      finding('LEGACY_SUBTOTAL', `the numbered items under "${parent.label}" sum to ${itemsTotal} (${terms}) but it states ${parent.value}`, [
        legacyKey(parent.label),
        ...items.map((item) => legacyKey(item.label)),
      ]),
    );
  });
  return findings;
}

function checkParts(list: readonly LegacyIndicator[], outline: readonly Outline[]): Finding[] {
  const findings: Finding[] = [];
  list.forEach((part, index) => {
    if (outline[index] !== 'part') return;
    // Consecutive 其中 lines share the indicator above the first of them.
    let parentIndex = index - 1;
    while (parentIndex >= 0 && outline[parentIndex] === 'part') parentIndex--;
    if (parentIndex < 0) return;
    const parent = list[parentIndex];
    const values = comparableValues(parent, [part]);
    if (values === null || values.parts[0] <= values.parent) return;
    findings.push(
      finding('LEGACY_SUBTOTAL', `"${part.label}" = ${part.value} exceeds the indicator it is part of, "${parent.label}" = ${parent.value}`, [
        legacyKey(part.label),
        legacyKey(parent.label),
      ]),
    );
  });
  return findings;
}

/**
 * The values of a part–whole relation, or null when it is not assessable: a blank value (blank is
 * not 0) or a part whose unit contradicts the parent's.
 */
function comparableValues(parent: LegacyIndicator, parts: readonly LegacyIndicator[]): { parent: number; parts: number[] } | null {
  if (parent.value === null) return null;
  const values: number[] = [];
  for (const part of parts) {
    if (part.value === null || (part.unit !== null && parent.unit !== null && part.unit !== parent.unit)) return null;
    values.push(part.value);
  }
  return { parent: parent.value, parts: values };
}

/** Money indicators carry decimals; summing them must not invent a mismatch from binary rounding. */
function roundAmount(value: number): number {
  return Number(value.toFixed(6));
}
