/**
 * Cuts flattened rows of table 三 using the table's own arithmetic (shared/template/equations.ts): each row's 总计 is
 * the sum of its six applicant columns, 一 + 二 = 七 + 四 in every column, and the outcome rows sum to 七
 * (a group printed as one row with its own values).
 */
import type { Cell } from '../cells';
import { canHold, applicationsEquations, rowOf, type Equation } from '../../../shared/template/equations';
import { APPLICANT_COLUMNS, withCollapsedGroups, type ApplicationsLayout } from '../../../shared/template/rows';
import { agreedOptions, cutCells, cutsWithTotal, isDigitRun, type Cut } from '../flattened';

const COLUMNS = APPLICANT_COLUMNS.length;

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
    // A group printed as one row takes the place of its sub-rows in the arithmetic.
    const printed = withCollapsedGroups(layout, new Set(layout.groups.filter((group) => rows.has(group.key)).map((group) => group.key)));
    const known = new Map<string, RowOptions>();
    for (const { key } of printed.rows) {
      const options = rowOptions(key, rows.get(key));
      if (options) known.set(key, options);
    }
    const flattened = [...known.values()].filter((row) => row.cuts !== null);
    if (flattened.length === 0) return new Map();

    // Each cut already gives its own row its total, so only the equations across rows choose among cuts.
    const equations = applicationsEquations(printed).filter((equation) => {
      const equationRows = new Set(equation.terms.map((term) => rowOf(term.key)));
      return equationRows.size > 1 && [...equationRows].every((row) => known.has(row));
    });
    const searchOrder = [...new Set(equations.flatMap((equation) => equation.terms.map((term) => rowOf(term.key))))].map((key) => known.get(key)!);
    const agreed = agreedOptions(searchOrder, (chosen) => consistent(chosen, searchOrder, equations));

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

/** Whether the rows chosen so far (the first rows of `order`) can still satisfy the table's equations. */
function consistent(chosen: number[][], order: RowOptions[], equations: Equation[]): boolean {
  const chosenFor = new Map(chosen.map((values, index) => [order[index].key, values]));
  const valueOf = (key: string): number | null => {
    const column = APPLICANT_COLUMNS.indexOf(key.slice(key.lastIndexOf('.') + 1) as (typeof APPLICANT_COLUMNS)[number]);
    return chosenFor.get(rowOf(key))?.[column] ?? null;
  };
  return equations.every((equation) => canHold(equation, valueOf));
}
