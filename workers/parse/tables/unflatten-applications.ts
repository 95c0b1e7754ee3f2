/**
 * Cuts flattened rows of table 三 using the table's own arithmetic (arithmetic.ts): each row's 总计 is
 * the sum of its six applicant columns, 一 + 二 = 七 + 四 in every column, and the outcome rows sum to 七.
 */
import type { Cell } from '../cells';
import type { ApplicationsLayout } from '../canonical';
import { BALANCE_KEYS } from '../arithmetic';
import { agreedOptions, cutCells, cutsWithTotal, isDigitRun, type Cut } from '../flattened';

const COLUMNS = 7;

interface RowOptions {
  key: string;
  /** Candidate values; a row read cell by cell has exactly one. */
  options: number[][];
  /** For a flattened row, the cut behind each option. */
  cuts: Cut[] | null;
  run: Cell | null;
}

export function unflattenApplications(layout: ApplicationsLayout): (rows: Map<string, Cell[]>) => Map<string, Cell[]> {
  return (rows) => {
    const known = new Map<string, RowOptions>();
    for (const { key } of layout.rows) {
      const options = rowOptions(key, rows.get(key));
      if (options) known.set(key, options);
    }
    const flattened = [...known.values()].filter((row) => row.cuts !== null);
    if (flattened.length === 0) return new Map();

    const balanced = BALANCE_KEYS.every((key) => known.has(key));
    const summed = known.has('totalHandled') && layout.outcomeKeys.every((key) => known.has(key));
    const constrainedKeys = [...(balanced ? BALANCE_KEYS : []), ...(summed ? ['totalHandled', ...layout.outcomeKeys] : [])];
    const searchOrder = [...new Set(constrainedKeys)].map((key) => known.get(key)!);
    const agreed = agreedOptions(searchOrder, (chosen) => consistent(chosen, searchOrder, balanced, summed));

    const resolved = new Map<string, Cell[]>();
    for (const row of flattened) {
      // A single cut with the right row total stands even where the column identities fail.
      const index = row.options.length === 1 ? 0 : agreed.get(row.key);
      if (index !== null && index !== undefined) resolved.set(row.key, cutCells(row.run!, row.cuts![index]));
    }
    return resolved;
  };
}

function rowOptions(key: string, values: Cell[] | undefined): RowOptions | null {
  if (!values) return null;
  if (isDigitRun(values, COLUMNS)) {
    const cuts = cutsWithTotal(values[0].span.text, COLUMNS);
    return { key, options: cuts.map((cut) => cut.map(Number)), cuts, run: values[0] };
  }
  const numbers = values.map((cell) => (cell.value?.kind === 'number' ? cell.value.value : null));
  if (numbers.length !== COLUMNS || numbers.some((value) => value === null)) return null;
  return { key, options: [numbers as number[]], cuts: null, run: null };
}

/** Whether the rows chosen so far (the first rows of `order`) can still satisfy the table's identities. */
function consistent(chosen: number[][], order: RowOptions[], balanced: boolean, summed: boolean): boolean {
  const chosenFor = new Map(chosen.map((values, index) => [order[index].key, values]));
  if (balanced && chosen.length === BALANCE_KEYS.length) {
    const [received, carriedOver, handled, carriedForward] = BALANCE_KEYS.map((key) => chosenFor.get(key)!);
    if (received.some((value, c) => value + carriedOver[c] !== handled[c] + carriedForward[c])) return false;
  }
  const handled = chosenFor.get('totalHandled');
  if (!summed || !handled) return true;
  const complete = chosen.length === order.length;
  // Counts are non-negative, so a partial sum above 七 can never come back down.
  return handled.every((total, c) => {
    let sum = 0;
    for (const [key, values] of chosenFor) if (key !== 'totalHandled' && !BALANCE_KEYS.includes(key)) sum += values[c];
    return complete ? sum === total : sum <= total;
  });
}
