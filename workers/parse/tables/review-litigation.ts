/**
 * Table 四 (reconsideration and litigation): one row of 15 numbers under a two-level header, read
 * by position — review, direct litigation, litigation after review, each upheld/corrected/other/pending/total.
 */
import type { Finding, TableNode } from '../../../shared/record';
import { lineCells, type Cell } from '../cells';
import { tableTitle } from '../../../shared/template/cell-names';
import { REVIEW_COLUMNS, REVIEW_GROUPS } from '../../../shared/template/rows';
import type { DocLine } from '../document';
import { cutCells, groupedCutsWithTotal, isDigitRun } from '../flattened';
import { tableRows } from '../rows';
import { ambiguity, extractCell, setCell, type TableRead } from '../table-read';

const CELL_COUNT = REVIEW_GROUPS.length * REVIEW_COLUMNS.length;

export function readReviewLitigationTable(lines: DocLine[]): TableRead | null {
  const rows = tableRows(lines).filter((row) => row.values.length > 0);
  if (rows.length === 0) return null;
  // The row may wrap over several lines (or be one cell per line); prefer a single complete line.
  const values = unflatten(rows.find((row) => row.values.length === CELL_COUNT)?.values ?? rowWithItsBlankCells(lines) ?? rows.flatMap((row) => row.values));
  const fits = values.length === CELL_COUNT;
  const findings: Finding[] = [];
  const keys = REVIEW_GROUPS.flatMap((group) => REVIEW_COLUMNS.map((column) => ({ group, column })));
  if (!fits) {
    const printedValues = values.map((v) => v.span.text || '□').join(' ');
    findings.push(
      ambiguity(
        {
          zh: `${tableTitle('reviewLitigation')}：印有 ${values.length} 个数，而该表有 ${CELL_COUNT} 个单元格（${printedValues}），未予读取`,
          en: `reviewLitigation: ${values.length} values for ${CELL_COUNT} cells (${printedValues})`,
        },
        keys.map(({ group, column }) => `reviewLitigation.${group}.${column}`),
      ),
    );
  }
  const node: TableNode = {};
  const cells = keys.map(({ group, column }, index) => {
    const cell = fits ? values[index] : null;
    const extracted = extractCell({ table: 'reviewLitigation', rowKey: group, columnKey: column, cell, at: values[0].span });
    setCell(node, group, column, extracted.value);
    return extracted;
  });
  return { node, cells, findings };
}

/**
 * A line of exactly the table's cells, numbers and blank cells, with numbers among them: a scan's row keeps its
 * empty cells (a group left blank, often 复议后起诉), so each value's place is known and the blanks read as blank.
 */
function rowWithItsBlankCells(lines: DocLine[]): Cell[] | null {
  for (const line of lines) {
    const cells = lineCells(line);
    if (cells.length === CELL_COUNT && cells.every((cell) => cell.value !== null) && cells.some((cell) => cell.value?.kind === 'number')) return cells;
  }
  return null;
}

/** A flattened row ("100010000000000") is cut when exactly one cut gives every group its total. */
function unflatten(values: Cell[]): Cell[] {
  if (!isDigitRun(values, CELL_COUNT)) return values;
  const cuts = groupedCutsWithTotal(values[0].span.text, REVIEW_GROUPS.length, REVIEW_COLUMNS.length, 2);
  return cuts.length === 1 ? cutCells(values[0], cuts[0]) : values;
}
