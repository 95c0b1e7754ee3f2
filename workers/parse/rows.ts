/**
 * Cells to table rows, the same way for every layout: a row is the text cells since the previous
 * row's numbers (headers, group labels, its own label, wrapped label lines) followed by its run of
 * numbers. Blank cells count only between numbers, because leading and trailing empty cells are the
 * shadows of merged cells; blank cells between a row's label and its first number are kept aside, for
 * a row whose first columns were left blank (see labelled-table.ts).
 */
import { lineCells, type Cell } from './cells';
import type { DocLine, Span } from './document';

export interface TableRow {
  pieces: Span[];
  /** Number, placeholder and interior blank cells, in order. */
  values: Cell[];
  /** Blank cells between the label and the first value, on the label's line. */
  blanksBeforeValues: Cell[];
  /** Label cells that end a line followed only by blank cells (`规章 | | |`): rows printed without numbers, with their blank count. */
  blankLines: Array<{ label: Span; blanks: number }>;
}

/**
 * A table row that a page break cut in two: its label's tail comes on the next page in a row of its
 * own whose value cells are empty ("3.补正 | 8 | 3 …" then "后申请内容仍不明确 | | | …"), first on its page.
 */
function isLabelContinuation(cells: Cell[]): boolean {
  const lastText = cells.map((cell) => cell.value === null).lastIndexOf(true);
  if (lastText < 0) return false;
  const after = cells.slice(lastText + 1);
  return after.length >= MIN_EMPTY_VALUE_CELLS && after.every((cell) => cell.value?.kind === 'blank') && cells.every((cell) => cell.value === null || cell.value.kind === 'blank');
}

function isPageTurn(previous: TableRow, line: DocLine): boolean {
  return previous.values[previous.values.length - 1].span.line.page !== line.page;
}

/**
 * A row's label cells with the tails a page break carried over: one tail per label cell, in order
 * (`三、本年 | (四) | 2.没有现成信息需要` then `度办理结果 | 无法提供 | 另行制作`), so each tail joins its
 * own cell's head; the joined piece keeps the head's place in the source.
 */
function withLabelTails(pieces: Span[], tails: Span[]): Span[] {
  if (tails.length > pieces.length) return [...pieces, ...tails];
  const heads = pieces.length - tails.length;
  return pieces.map((piece, index) => (index < heads ? piece : { ...piece, text: piece.text + tails[index - heads].text }));
}

/** A continuation leaves at least this many value cells empty (the narrowest labelled table has one). */
const MIN_EMPTY_VALUE_CELLS = 1;

export function tableRows(lines: DocLine[]): TableRow[] {
  const rows: TableRow[] = [];
  let pieces: Span[] = [];
  let values: Cell[] = [];
  let blanksAfterValue: Cell[] = [];
  let blanksAfterLabel: Cell[] = [];
  let blanksBeforeValues: Cell[] = [];
  let blankLines: TableRow['blankLines'] = [];
  const closeRow = () => {
    if (pieces.length || values.length) rows.push({ pieces, values, blanksBeforeValues, blankLines });
    pieces = [];
    values = [];
    blanksAfterValue = [];
    blanksAfterLabel = [];
    blanksBeforeValues = [];
    blankLines = [];
  };
  for (const line of lines) {
    const cells = lineCells(line);
    const previous = rows[rows.length - 1];
    if (!values.length && !pieces.length && previous?.values.length && isPageTurn(previous, line) && isLabelContinuation(cells)) {
      previous.pieces = withLabelTails(previous.pieces, cells.filter((cell) => cell.value === null).map((cell) => cell.span));
      continue;
    }
    blanksAfterLabel = [];
    for (const cell of cells) {
      if (cell.value === null) {
        if (values.length) closeRow();
        pieces.push(cell.span);
        blanksAfterLabel = [];
      } else if (cell.value.kind === 'blank') {
        if (values.length) blanksAfterValue.push(cell);
        else if (pieces.length) blanksAfterLabel.push(cell);
      } else {
        if (!values.length) blanksBeforeValues = blanksAfterLabel;
        values.push(...blanksAfterValue, cell);
        blanksAfterValue = [];
      }
    }
    const lastText = cells.map((cell) => cell.value === null).lastIndexOf(true);
    if (!values.length && lastText >= 0 && lastText < cells.length - 1 && cells.slice(lastText + 1).every((cell) => cell.value?.kind === 'blank')) {
      blankLines.push({ label: cells[lastText].span, blanks: cells.length - 1 - lastText });
    }
    // A line of several cells is a whole row; a line of one cell (`10 |`) is one cell of a longer row.
    if (cells.length > 1 && values.length) closeRow();
  }
  closeRow();
  return rows;
}
