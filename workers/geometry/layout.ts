/**
 * Positioned text to page text that parse reads like any other layout: text lines in reading order,
 * and every table row as one line of tab-separated cells. A cell's text is its lines joined without a
 * break, so a label wrapped over three lines, a group label printed one character per line, or a
 * number wrapped in a narrow cell ("823" over "3") is one cell again. A cell spanning several rows is
 * printed in its first row only, as HTML tables are.
 *
 * Ruled tables take their grid from the rulings (grid.ts). Where text stands outside any grid, wide
 * gaps on a line separate cells, so an unruled table's row still comes out as cells.
 */
import { encodeLineBoxes, sliceBox, type PageBoxes, type TextRun } from '../../shared/page-boxes';
import { buildTableGrids, type GridCell, type Rect, type Ruling, type Rulings, type TableGrid } from './grid';
import type { PositionedPage, PositionedText } from './positioned';

/** Rulings closer than this (page units, points for PDF) are one border. */
const GRID_TOLERANCE = 3;
/** On a line outside tables, a gap wider than this many text heights separates two cells. */
const CELL_GAP = 2;
/** A gap wider than this many text heights is a space. */
const WORD_GAP = 0.3;
/** Page numbers ('-3-', '第 3 页', '3/12') in the top or bottom margin are furniture, not content. */
const PAGE_NUMBER = /^[-—–―－\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/／]\s*\d{1,4})?(?:\s*页)?[-—–―－\s]*$/;
const MARGIN_SHARE = 0.1;
const RECENT_LINES = 4;

interface Block {
  top: number;
  runs: TextRun[];
}

/** The page text, and where each of its lines' characters was printed (for the source view). */
export interface LaidOutPage {
  text: string;
  boxes: PageBoxes;
}

export function layoutPageText(page: PositionedPage): string {
  return layoutPage(page).text;
}

export function layoutPage(page: PositionedPage): LaidOutPage {
  const grids = buildTableGrids(closeOpenEdges(page.rulings), { tolerance: GRID_TOLERANCE }).filter((grid) => grid.cells.length > 1);
  const inGrid: PositionedText[][] = grids.map(() => []);
  const free: PositionedText[] = [];
  for (const item of page.items.filter((candidate) => candidate.text.trim() !== '')) {
    const index = grids.findIndex((grid) => contains(grid.bbox, centre(item.box)));
    if (index >= 0) inGrid[index].push(...splitAcrossColumns(item, grids[index].colLines));
    else free.push(item);
  }
  const blocks: Block[] = [
    ...grids.flatMap((grid, index) => gridRows(grid, inGrid[index])),
    ...textLines(free)
      .filter((line) => !isPageFurniture(line, page.height))
      .map((line) => ({ top: lineTop(line), runs: joinLine(line, CELL_GAP) })),
  ];
  const lines = blocks.sort((a, b) => a.top - b.top).map((block) => block.runs);
  return {
    text: lines.map((runs) => runs.map((run) => run.text).join('')).join('\n'),
    boxes: { width: page.width, height: page.height, lines: lines.map(encodeLineBoxes) },
  };
}

/** A table cut by a page break often lacks its border at the cut; so many column borders ending together draw it. */
const MIN_ENDING_TOGETHER = 3;

/**
 * Adds the missing top or bottom border where several vertical rulings start or end at one height and
 * no horizontal ruling joins them there, so the row beside the page break stays in the grid.
 */
function closeOpenEdges(rulings: Rulings): Rulings {
  const added: Ruling[] = [];
  for (const end of ['from', 'to'] as const) {
    const byHeight = new Map<number, Ruling[]>();
    for (const ruling of rulings.vertical) {
      const height = Math.round(ruling[end] / GRID_TOLERANCE);
      byHeight.set(height, [...(byHeight.get(height) ?? []), ruling]);
    }
    for (const verticals of byHeight.values()) {
      if (verticals.length < MIN_ENDING_TOGETHER) continue;
      const pos = verticals.reduce((sum, ruling) => sum + ruling[end], 0) / verticals.length;
      const from = Math.min(...verticals.map((ruling) => ruling.pos));
      const to = Math.max(...verticals.map((ruling) => ruling.pos));
      const joined = rulings.horizontal.some((h) => Math.abs(h.pos - pos) <= GRID_TOLERANCE && h.from <= from + GRID_TOLERANCE && h.to >= to - GRID_TOLERANCE);
      if (!joined) added.push({ pos, from, to, thickness: verticals[0].thickness });
    }
  }
  return added.length ? { horizontal: [...rulings.horizontal, ...added], vertical: rulings.vertical } : rulings;
}

function centre(box: Rect): [number, number] {
  return [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2];
}

function contains(rect: Rect, [x, y]: [number, number]): boolean {
  return x >= rect[0] && x <= rect[2] && y >= rect[1] && y <= rect[3];
}

/**
 * A text run that crosses a column border holds several cells' text (some generators draw a row's
 * numbers as one run): it is cut into characters at their estimated positions, so each lands in its cell.
 */
function splitAcrossColumns(item: PositionedText, colLines: number[]): PositionedText[] {
  const [x0, y0, x1, y1] = item.box;
  const crosses = colLines.some((x) => x > x0 + 1 && x < x1 - 1);
  const characters = [...item.text];
  if (!crosses || characters.length < 2) return [item];
  const advance = (x1 - x0) / characters.length;
  return characters.map((text, i) => ({ text, box: [x0 + i * advance, y0, x0 + (i + 1) * advance, y1] }));
}

/** The table's rows, top to bottom, each as tab-separated cells in column order. */
function gridRows(grid: TableGrid, items: PositionedText[]): Block[] {
  const textOf = new Map<GridCell, PositionedText[]>(grid.cells.map((cell) => [cell, []]));
  for (const item of items) {
    const point = centre(item.box);
    const cell = grid.cells.find((candidate) => contains(candidate.bbox, point));
    if (cell) textOf.get(cell)!.push(item);
  }
  const blocks: Block[] = [];
  for (let row = 0; row < grid.rowLines.length - 1; row++) {
    const cells = grid.cells.filter((cell) => cell.row === row).sort((a, b) => a.col - b.col);
    const texts = cells.map((cell) => cellText(textOf.get(cell)!));
    if (texts.every((runs) => runs.length === 0)) continue;
    blocks.push({ top: grid.rowLines[row], runs: texts.flatMap((runs, index) => (index === 0 ? runs : [TAB, ...runs])) });
  }
  return blocks;
}

const TAB: TextRun = { text: '\t', box: null };
const SPACE: TextRun = { text: ' ', box: null };

/**
 * A cell's lines joined without a break: wrapped labels and wrapped numbers are one text again, with
 * whitespace collapsed to single spaces and trimmed; each character keeps the box of its run.
 */
function cellText(items: PositionedText[]): TextRun[] {
  const runs: TextRun[] = [];
  let pendingSpace = false;
  for (const run of textLines(items).flatMap((line) => joinLine(line, Infinity))) {
    let offset = 0;
    for (const part of run.text.split(/(\s+)/)) {
      const start = offset;
      offset += part.length;
      if (part === '') continue;
      if (/^\s/.test(part)) {
        pendingSpace = runs.length > 0;
        continue;
      }
      if (pendingSpace) runs.push(SPACE);
      pendingSpace = false;
      runs.push({ text: part, box: run.box && sliceBox(run.text, run.box, start, offset) });
    }
  }
  return runs;
}

/** Items grouped into lines by vertical overlap, each line left to right. */
function textLines(items: PositionedText[]): PositionedText[][] {
  const sorted = [...items].sort((a, b) => a.box[1] - b.box[1] || a.box[0] - b.box[0]);
  const lines: Array<{ items: PositionedText[]; bottom: number }> = [];
  for (const item of sorted) {
    const middle = (item.box[1] + item.box[3]) / 2;
    // Lines are opened top to bottom, so an item can only belong to one of the last few.
    const line = lines.slice(-RECENT_LINES).find((candidate) => middle <= candidate.bottom && middle >= lineTop(candidate.items));
    if (line) {
      line.items.push(item);
      line.bottom = Math.max(line.bottom, item.box[3]);
    } else {
      lines.push({ items: [item], bottom: item.box[3] });
    }
  }
  return lines.map((line) => line.items.sort((a, b) => a.box[0] - b.box[0]));
}

function lineTop(line: PositionedText[]): number {
  return Math.min(...line.map((item) => item.box[1]));
}

/**
 * A line's boxes, left to right, split into cells wherever the gap to the next box is wider than
 * `gapFactor` × the line's median box height: CJK characters and digits of one cell sit a narrow gap
 * apart, cells a wide one. Used for unruled lines of every positioned source (PDF, OFD, OCR words).
 */
export function splitAtGaps<T>(items: T[], boxOf: (item: T) => Rect, gapFactor: number): T[][] {
  const sorted = [...items].sort((a, b) => boxOf(a)[0] - boxOf(b)[0]);
  if (sorted.length === 0) return [];
  const heights = sorted.map((item) => boxOf(item)[3] - boxOf(item)[1]).sort((a, b) => a - b);
  const median = heights[Math.floor(heights.length / 2)];
  const cells: T[][] = [[sorted[0]]];
  for (let i = 1; i < sorted.length; i++) {
    const gap = boxOf(sorted[i])[0] - boxOf(sorted[i - 1])[2];
    if (gap > gapFactor * median) cells.push([sorted[i]]);
    else cells[cells.length - 1].push(sorted[i]);
  }
  return cells;
}

const NUMBER_RUN = /^[\d.,]+$/;
/** An unruled line with this many numbers is a table row (a borderless table's), not prose. */
const MIN_ROW_NUMBERS = 3;

/**
 * A cell of an unruled line split where a number stands a word gap apart from its neighbour: a
 * number never holds a space, so in a borderless table's narrow columns (`5 5` under 自然人 and 商业企业,
 * `…政府信息 0` at the end of a label) they are separate cells. In prose (`收到申请 12 件`) only two
 * numbers side by side are split.
 */
function splitAtNumbers(cell: PositionedText[], isTableRow: boolean): PositionedText[][] {
  const parts: PositionedText[][] = [[cell[0]]];
  for (let i = 1; i < cell.length; i++) {
    const previous = cell[i - 1];
    const height = Math.max(previous.box[3] - previous.box[1], cell[i].box[3] - cell[i].box[1]);
    const apart = cell[i].box[0] - previous.box[2] > WORD_GAP * height;
    const numbers = [previous, cell[i]].filter((item) => NUMBER_RUN.test(item.text.trim())).length;
    if (apart && (numbers === 2 || (isTableRow && numbers === 1))) parts.push([cell[i]]);
    else parts[parts.length - 1].push(cell[i]);
  }
  return parts;
}

/** Joins a line's items: a tab between cells (see splitAtGaps), a space at a word gap, nothing between touching runs. */
function joinLine(line: PositionedText[], cellGap: number): TextRun[] {
  const isTableRow = line.filter((item) => NUMBER_RUN.test(item.text.trim())).length >= MIN_ROW_NUMBERS;
  return splitAtGaps(line, (item) => item.box, cellGap)
    .flatMap((cell) => (Number.isFinite(cellGap) ? splitAtNumbers(cell, isTableRow) : [cell]))
    .flatMap((cell, cellIndex) => [
      ...(cellIndex > 0 ? [TAB] : []),
      ...cell.flatMap((item, index) => {
        const run: TextRun = { text: item.text, box: item.box };
        if (index === 0) return [run];
        const previous = cell[index - 1];
        const height = Math.max(previous.box[3] - previous.box[1], item.box[3] - item.box[1]);
        return item.box[0] - previous.box[2] > WORD_GAP * height ? [SPACE, run] : [run];
      }),
    ]);
}

function isPageFurniture(line: PositionedText[], pageHeight: number): boolean {
  const top = lineTop(line);
  const inMargin = top < pageHeight * MARGIN_SHARE || top > pageHeight * (1 - MARGIN_SHARE);
  return inMargin && PAGE_NUMBER.test(line.map((item) => item.text).join(''));
}
