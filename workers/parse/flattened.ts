/**
 * Flattened tables: some crawlers drop the cell boundaries, so the row "151 | 3 | 0 | 0 | 0 | 0 | 154"
 * arrives as the digits "15130000154". A row's count of numbers is fixed, and the table's arithmetic
 * (row totals, 一+二 = 七+四, outcomes sum to 七) usually leaves one way to cut every row. When several
 * cuts stay consistent the row is not guessed: it is reported ambiguous.
 */
import { numberValue, type Cell } from './cells';

/** A cut of a digit run into numbers, each kept as its printed digits. */
export type Cut = string[];

/** Enumeration stops here; a table needing more is reported ambiguous rather than searched forever. */
const MAX_CUTS = 20000;
const MAX_SOLUTIONS = 64;
const MAX_SEARCH_STEPS = 2_000_000;

/** A run of digits standing for `count` numbers: only one value cell where several are due. */
export function isDigitRun(values: Cell[], count: number): boolean {
  if (count < 2 || values.length !== 1) return false;
  const text = values[0].span.text;
  return /^\d+$/.test(text) && text.length >= count;
}

function validPart(part: string): boolean {
  return part.length === 1 || part[0] !== '0';
}

/**
 * Every cut of `digits` into `count` numbers without leading zeros whose values satisfy `sumTo`
 * (when given: the parts sum to it). Stops once MAX_CUTS are found; see complete().
 */
function cuts(digits: string, count: number, sumTo: number | null, alreadyFound = 0, found: Cut[] = [], prefix: Cut = []): Cut[] {
  if (alreadyFound + found.length >= MAX_CUTS) return found;
  if (count === 1) {
    if (validPart(digits) && (sumTo === null || Number(digits) === sumTo)) found.push([...prefix, digits]);
    return found;
  }
  for (let length = 1; length <= digits.length - (count - 1); length++) {
    const part = digits.slice(0, length);
    if (!validPart(part)) break;
    const value = Number(part);
    if (sumTo !== null && value > sumTo) break;
    cuts(digits.slice(length), count - 1, sumTo === null ? null : sumTo - value, alreadyFound, found, [...prefix, part]);
  }
  return found;
}

/** A list that hit MAX_CUTS is not all the cuts there are; offering none keeps the row unresolved. */
function complete(found: Cut[]): Cut[] {
  return found.length >= MAX_CUTS ? [] : found;
}

/** Cuts into `count` numbers whose last is the total of the others (a row with its 总计 column). */
export function cutsWithTotal(digits: string, count: number): Cut[] {
  const found: Cut[] = [];
  for (let totalLength = 1; totalLength <= digits.length - (count - 1); totalLength++) {
    const total = digits.slice(digits.length - totalLength);
    if (!validPart(total)) continue;
    for (const cut of cuts(digits.slice(0, digits.length - totalLength), count - 1, Number(total), found.length)) found.push([...cut, total]);
  }
  return complete(found);
}

/**
 * Cuts into `groups` consecutive groups of `size` numbers, each ending with its own total (table 四:
 * three groups of upheld/corrected/other/pending/total). Stops after `limit` cuts.
 */
export function groupedCutsWithTotal(digits: string, groups: number, size: number, limit: number): Cut[] {
  if (groups === 1) return cutsWithTotal(digits, size).slice(0, limit);
  const found: Cut[] = [];
  for (let length = size; length <= digits.length - size * (groups - 1) && found.length < limit; length++) {
    for (const head of cutsWithTotal(digits.slice(0, length), size)) {
      for (const rest of groupedCutsWithTotal(digits.slice(length), groups - 1, size, limit - found.length)) found.push([...head, ...rest]);
      if (found.length >= limit) break;
    }
  }
  return found;
}

/** Cuts into `count` numbers with no arithmetic to check. */
export function plainCuts(digits: string, count: number): Cut[] {
  return complete(cuts(digits, count, null));
}

/** The value cells a cut makes of its digit run, each pointing at its own digits. */
export function cutCells(run: Cell, cut: Cut): Cell[] {
  let offset = run.span.start;
  return cut.map((part) => {
    const span = { ...run.span, start: offset, end: offset + part.length, text: part };
    offset += part.length;
    return { span, value: numberValue(part, null) };
  });
}

/**
 * Searches one option per row (rows in search order) such that `check` passes; `check` sees the
 * options chosen so far and returns false as soon as they cannot lead to a solution. Returns, per
 * row, the index of the option every solution shares — null where solutions differ, where there is
 * none, or where the search ran out of budget (never a guess).
 */
export function agreedOptions(rows: Array<{ key: string; options: number[][] }>, check: (chosen: number[][]) => boolean): Map<string, number | null> {
  const agreed: Array<number | null | undefined> = rows.map(() => undefined);
  const chosenIndex: number[] = [];
  const chosen: number[][] = [];
  let solutions = 0;
  let steps = 0;
  const search = (depth: number): void => {
    if (solutions >= MAX_SOLUTIONS || ++steps > MAX_SEARCH_STEPS) return;
    if (depth === rows.length) {
      solutions++;
      chosenIndex.forEach((index, row) => {
        agreed[row] = agreed[row] === undefined || agreed[row] === index ? index : null;
      });
      return;
    }
    rows[depth].options.forEach((values, index) => {
      chosen.push(values);
      chosenIndex.push(index);
      if (check(chosen)) search(depth + 1);
      chosen.pop();
      chosenIndex.pop();
    });
  };
  search(0);
  const conclusive = solutions > 0 && solutions < MAX_SOLUTIONS && steps <= MAX_SEARCH_STEPS;
  return new Map(rows.map(({ key }, row) => [key, conclusive ? (agreed[row] ?? null) : null]));
}
