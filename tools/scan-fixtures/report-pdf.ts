/**
 * Renders a seed report as a text-layer PDF (A4, wrapped paragraphs, ruled tables, CJK font
 * embedded) and says which pages carry tables. The layout is the one in tools/make-sample-pdf.ts,
 * copied here because that script exports nothing and runs on import; keep the two in step.
 *
 * Two seed formats are read:
 *  - tab-separated (seeds 000–002, 004): one table row per line, merged cells written as blanks;
 *  - one-cell-per-line `|` (seed 003): every non-empty cell on its own line ending in " |", blank
 *    cells as runs of bare `|`, row breaks lost. Those cells are laid back onto the standard
 *    template grid (the national form's three tables, shape taken from seed 001) so the scan shows
 *    a real ruled table; the non-empty cell count of every table must match the template's.
 */
import PDFDocument from 'pdfkit';

export const CJK_FONT_FILE = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';
/** The PostScript name picks one face out of the TrueType collection. */
const CJK_FONT_FACE = 'WenQuanYiMicroHei';
const FONT = 'cjk';

const MARGIN = 64;
const FIXED_DATE = new Date('2022-01-20T08:00:00Z');

const TITLE_SIZE = 18;
const HEADING_SIZE = 14;
const BODY_SIZE = 12;
const BODY_LINE_GAP = 4;
const TABLE_SIZE = 9;
const CELL_PADDING = 3;
const RULE_WIDTH = 0.6;

export type Block =
  | { kind: 'title' | 'heading' | 'paragraph'; text: string }
  | { kind: 'table'; rows: string[][] };

function textBlock(blocks: Block[], text: string): Block {
  if (blocks.length === 0) return { kind: 'title', text };
  if (/^[一二三四五六七八九十]+、/.test(text) && text.length < 30) return { kind: 'heading', text };
  return { kind: 'paragraph', text };
}

/** Blank lines separate paragraphs; consecutive tab-separated lines form one table. */
export function readTabBlocks(seedText: string): Block[] {
  const blocks: Block[] = [];
  for (const line of seedText.split(/\r?\n/)) {
    if (line.includes('\t')) {
      const previous = blocks.at(-1);
      const cells = line.split('\t').map((cell) => cell.trim());
      if (previous?.kind === 'table') previous.rows.push(cells);
      else blocks.push({ kind: 'table', rows: [cells] });
      continue;
    }
    const text = line.trim();
    if (text === '') continue;
    blocks.push(textBlock(blocks, text));
  }
  return blocks;
}

/**
 * Reads a one-cell-per-line `|` seed. Each run of `|` lines is one table; its non-empty cells are
 * poured, in order, into the non-empty positions of the matching template table (the blanks of the
 * template stay blank, which rebuilds the merges).
 */
export function readPipeBlocks(seedText: string, templateTables: string[][][]): Block[] {
  const blocks: Block[] = [];
  let cells: string[] | null = null;
  const tables: string[][] = [];
  const flush = () => {
    if (cells === null) return;
    tables.push(cells);
    blocks.push({ kind: 'table', rows: [] });
    cells = null;
  };
  for (const line of seedText.split(/\r?\n/)) {
    if (line.includes('|')) {
      cells ??= [];
      cells.push(...line.split('|').map((cell) => cell.trim()).filter((cell) => cell !== ''));
      continue;
    }
    flush();
    const text = line.trim();
    if (text !== '') blocks.push(textBlock(blocks, text));
  }
  flush();
  if (tables.length !== templateTables.length) {
    throw new Error(`seed has ${tables.length} tables, the template ${templateTables.length}`);
  }
  let tableIndex = 0;
  for (const block of blocks) {
    if (block.kind !== 'table') continue;
    const template = templateTables[tableIndex];
    const tokens = tables[tableIndex];
    const slots = template.flat().filter((cell) => cell !== '').length;
    if (slots !== tokens.length) {
      throw new Error(`table ${tableIndex + 1}: seed has ${tokens.length} non-empty cells, the template ${slots}`);
    }
    let next = 0;
    block.rows = template.map((row) => row.map((cell) => (cell === '' ? '' : tokens[next++])));
    tableIndex += 1;
  }
  return blocks;
}

export function tablesOf(blocks: Block[]): string[][][] {
  return blocks.flatMap((block) => (block.kind === 'table' ? [block.rows] : []));
}

// ---------------------------------------------------------------------------------------------
// Table layout (as in tools/make-sample-pdf.ts).

interface LaidOutCell {
  text: string;
  column: number;
  span: number;
  continuesAbove: boolean;
  isValue: boolean;
}

interface LaidOutRow {
  cells: LaidOutCell[];
  isHeader: boolean;
}

const isNumber = (cell: string): boolean => /^-?\d+(\.\d+)?$/.test(cell);

function withoutTrailingBlanks(cells: string[]): string[] {
  const end = cells.findLastIndex((cell) => cell !== '');
  return cells.slice(0, end + 1);
}

function placeRegion(
  cells: string[],
  region: { firstColumn: number; width: number; isValue: boolean },
  row: { isHeader: boolean; startsAbove: ReadonlySet<number> },
): LaidOutCell[] {
  const { firstColumn, width, isValue } = region;
  const inRegion = (row.isHeader ? cells : withoutTrailingBlanks(cells)).slice(0, width);
  const continuation = (column: number): LaidOutCell => ({ text: '', column, span: 1, continuesAbove: true, isValue });
  if (inRegion.every((text) => text === '')) {
    return width > 0 ? [{ ...continuation(firstColumn), span: width }] : [];
  }
  const placed: LaidOutCell[] = [];
  inRegion.forEach((text, index) => {
    const column = firstColumn + index;
    const current = placed.at(-1);
    if (text !== '') placed.push({ text, column, span: 1, continuesAbove: false, isValue });
    else if (current === undefined || current.continuesAbove) placed.push(continuation(column));
    else if (row.isHeader && row.startsAbove.has(column)) placed.push(continuation(column));
    else if (!row.isHeader && isNumber(current.text)) placed.push({ ...continuation(column), continuesAbove: false });
    else current.span += 1;
  });
  const last = placed[placed.length - 1];
  if (!last.continuesAbove || !row.isHeader) last.span = firstColumn + width - last.column;
  return placed;
}

function layOutTable(rows: string[][], tableWidth: number): { rows: LaidOutRow[]; columnWidths: number[] } {
  const firstNumberIndex = (cells: string[]): number => cells.findIndex(isNumber);
  const dataStarts = rows.map(firstNumberIndex).filter((index) => index >= 0);
  const headerValueStart = dataStarts.length > 0 ? Math.min(...dataStarts) : 0;
  const split = rows.map((cells) => {
    const start = firstNumberIndex(cells);
    const valueStart = start >= 0 ? start : headerValueStart;
    return { labels: cells.slice(0, valueStart), values: cells.slice(valueStart), isHeader: start < 0 };
  });
  const labelColumns = Math.max(...split.map((row) => withoutTrailingBlanks(row.labels).length));
  const valueColumns = Math.max(...split.map((row) => withoutTrailingBlanks(row.values).length));

  const valueWidth = labelColumns === 0 ? tableWidth / valueColumns : Math.min(60, (tableWidth * 0.55) / valueColumns);
  const labelRegionWidth = tableWidth - valueWidth * valueColumns;
  const labelShares = Array.from({ length: labelColumns }, (_, index) => (index === labelColumns - 1 ? 2 : 1));
  const shareTotal = labelShares.reduce((sum, share) => sum + share, 0);
  const columnWidths = [
    ...labelShares.map((share) => (labelRegionWidth * share) / shareTotal),
    ...Array.from({ length: valueColumns }, () => valueWidth),
  ];

  const labelRegion = { firstColumn: 0, width: labelColumns, isValue: false };
  const valueRegion = { firstColumn: labelColumns, width: valueColumns, isValue: true };
  const laidOut: LaidOutRow[] = [];
  let startsAbove = new Set<number>();
  for (const { labels, values, isHeader } of split) {
    const row = { isHeader, startsAbove };
    const cells =
      isHeader && withoutTrailingBlanks(values).length === 0
        ? placeRegion(labels, { ...labelRegion, width: labelColumns + valueColumns }, row)
        : [...placeRegion(labels, labelRegion, row), ...placeRegion(values, valueRegion, row)];
    laidOut.push({ isHeader, cells });
    startsAbove = new Set(cells.map((cell) => cell.column));
  }
  return { rows: laidOut, columnWidths };
}

// ---------------------------------------------------------------------------------------------
// Drawing

/** Draws one table; calls `onPage` with the 1-based number of every page a row lands on. */
function drawTable(doc: PDFKit.PDFDocument, rows: string[][], currentPage: () => number, onPage: (page: number) => void): void {
  const left = doc.page.margins.left;
  const tableWidth = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  const pageBottom = doc.page.height - doc.page.margins.bottom;
  const { rows: laidOutRows, columnWidths } = layOutTable(rows, tableWidth);
  const columnX = columnWidths.reduce<number[]>((xs, width) => [...xs, xs[xs.length - 1] + width], [left]);
  const cellWidth = (cell: LaidOutCell) => columnX[cell.column + cell.span] - columnX[cell.column];

  doc.font(FONT).fontSize(TABLE_SIZE).lineWidth(RULE_WIDTH);
  const textOptions = (cell: LaidOutCell, isHeader: boolean): PDFKit.Mixins.TextOptions => ({
    width: cellWidth(cell) - 2 * CELL_PADDING,
    align: isHeader || cell.isValue ? 'center' : 'left',
    lineBreak: true,
  });

  let y = doc.y;
  let rowTopIsPageTop = false;
  for (const row of laidOutRows) {
    const textHeights = row.cells.map((cell) => doc.heightOfString(cell.text || ' ', textOptions(cell, row.isHeader)));
    const rowHeight = Math.max(...textHeights) + 2 * CELL_PADDING;
    if (y + rowHeight > pageBottom) {
      doc.moveTo(left, y).lineTo(left + tableWidth, y).stroke();
      doc.addPage();
      doc.font(FONT).fontSize(TABLE_SIZE).lineWidth(RULE_WIDTH);
      y = doc.page.margins.top;
      rowTopIsPageTop = true;
    }
    onPage(currentPage());
    row.cells.forEach((cell, index) => {
      const x = columnX[cell.column];
      const width = cellWidth(cell);
      if (!cell.continuesAbove || rowTopIsPageTop) doc.moveTo(x, y).lineTo(x + width, y).stroke();
      doc.moveTo(x, y).lineTo(x, y + rowHeight).stroke();
      if (index === row.cells.length - 1) doc.moveTo(x + width, y).lineTo(x + width, y + rowHeight).stroke();
      if (cell.text === '') return;
      const textTop = y + (rowHeight - textHeights[index]) / 2;
      doc.text(cell.text, x + CELL_PADDING, textTop, textOptions(cell, row.isHeader));
    });
    y += rowHeight;
    rowTopIsPageTop = false;
  }
  doc.moveTo(left, y).lineTo(left + tableWidth, y).stroke();
  doc.x = left;
  doc.y = y + BODY_SIZE;
}

export interface RenderedReport {
  pdf: Buffer;
  pageCount: number;
  /** 1-based pages with at least one table row, ascending. */
  tablePages: number[];
}

export function renderReport(blocks: Block[], producer: string): Promise<RenderedReport> {
  const title = blocks.find((block) => block.kind === 'title');
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: {
      Title: title?.kind === 'title' ? title.text : undefined,
      Producer: producer,
      CreationDate: FIXED_DATE,
      ModDate: FIXED_DATE,
    },
  });
  doc.registerFont(FONT, CJK_FONT_FILE, CJK_FONT_FACE);
  let pageCount = 1;
  doc.on('pageAdded', () => {
    pageCount += 1;
  });
  const tablePages = new Set<number>();
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const left = doc.page.margins.left;
  for (const block of blocks) {
    doc.x = left;
    switch (block.kind) {
      case 'title':
        doc.font(FONT).fontSize(TITLE_SIZE).text(block.text, { align: 'center' });
        doc.moveDown(1);
        break;
      case 'heading':
        doc.font(FONT).fontSize(HEADING_SIZE).text(block.text, { paragraphGap: 6 });
        break;
      case 'paragraph':
        doc.font(FONT).fontSize(BODY_SIZE).text(block.text, {
          align: 'justify',
          indent: 2 * BODY_SIZE,
          lineGap: BODY_LINE_GAP,
          paragraphGap: 6,
        });
        break;
      case 'table':
        drawTable(doc, block.rows, () => pageCount, (page) => tablePages.add(page));
        break;
    }
  }
  doc.end();
  return finished.then((pdf) => ({ pdf, pageCount, tablePages: [...tablePages].sort((a, b) => a - b) }));
}
