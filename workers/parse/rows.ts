/**
 * Cells to table rows, the same way for every layout: a row is the text cells since the previous
 * row's numbers (headers, group labels, its own label, wrapped label lines) followed by its run of
 * numbers. Blank cells count only between numbers, because leading and trailing empty cells are the
 * shadows of merged cells.
 */
import { lineCells, type Cell } from './cells';
import type { DocLine, Span } from './document';

export interface TableRow {
  pieces: Span[];
  /** Number, placeholder and interior blank cells, in order. */
  values: Cell[];
}

export function tableRows(lines: DocLine[]): TableRow[] {
  const rows: TableRow[] = [];
  let pieces: Span[] = [];
  let values: Cell[] = [];
  let blanksAfterValue: Cell[] = [];
  const closeRow = () => {
    if (pieces.length || values.length) rows.push({ pieces, values });
    pieces = [];
    values = [];
    blanksAfterValue = [];
  };
  for (const line of lines) {
    const cells = lineCells(line);
    for (const cell of cells) {
      if (cell.value === null) {
        if (values.length) closeRow();
        pieces.push(cell.span);
      } else if (cell.value.kind === 'blank') {
        if (values.length) blanksAfterValue.push(cell);
      } else {
        values.push(...blanksAfterValue, cell);
        blanksAfterValue = [];
      }
    }
    // A line of several cells is a whole row; a line of one cell (`10 |`) is one cell of a longer row.
    if (cells.length > 1 && values.length) closeRow();
  }
  closeRow();
  return rows;
}
