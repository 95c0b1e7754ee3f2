/**
 * Renders seed 001 (a tab-separated text report) as a text-layer PDF the way a government office's
 * word processor would: wrapped paragraphs and ruled tables, A4, CJK font embedded.
 *
 *   npx tsx tools/make-sample-pdf.ts
 *
 * The output is byte-for-byte reproducible: the creation date (which pdfkit also hashes into the
 * file ID) is fixed, and pdfkit derives font subset tags from font ids, not randomness.
 */
import fs from 'node:fs';
import path from 'node:path';
import PDFDocument from 'pdfkit';

const REPO_ROOT = path.resolve(__dirname, '..');
const SEED_PATH = path.join(REPO_ROOT, 'samples/001_8775b43b601402e9.txt');
const OUTPUT_PATH = path.join(REPO_ROOT, 'samples/001_8775b43b601402e9.pdf');

const CJK_FONT_FILE = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';
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

type Block =
  | { kind: 'title' | 'heading' | 'paragraph'; text: string }
  | { kind: 'table'; rows: string[][] };

/** Blank lines separate paragraphs; consecutive tab-separated lines form one table. */
function readBlocks(seedText: string): Block[] {
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
    if (blocks.length === 0) blocks.push({ kind: 'title', text });
    else if (/^[一二三四五六七八九十]+、/.test(text) && text.length < 30) blocks.push({ kind: 'heading', text });
    else blocks.push({ kind: 'paragraph', text });
  }
  return blocks;
}

// ---------------------------------------------------------------------------------------------
// Table layout. The seed writes a merged cell as its text followed by empty cells (colspan) or as
// an empty cell under it (rowspan), the way a table pasted from a word processor comes out. We
// rebuild the merges so the PDF has the ruled grid a real report has.

interface LaidOutCell {
  text: string;
  column: number;
  span: number;
  /** Continues the cell above (a rowspan): no text and no rule between the two. */
  continuesAbove: boolean;
  isValue: boolean;
}

interface LaidOutRow {
  cells: LaidOutCell[];
  isHeader: boolean;
}

interface TableLayout {
  rows: LaidOutRow[];
  columnWidths: number[];
}

const isNumber = (cell: string): boolean => /^-?\d+(\.\d+)?$/.test(cell);

function withoutTrailingBlanks(cells: string[]): string[] {
  const end = cells.findLastIndex((cell) => cell !== '');
  return cells.slice(0, end + 1);
}

/**
 * Places one region's cells (the label columns or the value columns) in `width` grid columns from
 * `firstColumn`. Leading blanks continue the cell above (a rowspan).
 *
 * Data rows: a label spans the blanks after it and the last cell reaches the region's end; a blank
 * between numbers is an empty cell of its own. Header rows: a blank also continues the cell above
 * when the row above starts a cell in that column (a rowspan beside a colspan, as under 总计);
 * otherwise it widens the header before it.
 */
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

function layOutTable(rows: string[][], tableWidth: number): TableLayout {
  const firstNumberIndex = (cells: string[]): number => cells.findIndex(isNumber);
  const dataStarts = rows.map(firstNumberIndex).filter((index) => index >= 0);
  // Header rows have no numbers; their value columns start where the data rows' earliest do.
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
  // The innermost label column holds the longest labels, so it gets twice the share.
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
    // A header row with nothing in the value columns is a caption row across the whole table.
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

function drawTable(doc: PDFKit.PDFDocument, rows: string[][]): void {
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
    row.cells.forEach((cell, index) => {
      const x = columnX[cell.column];
      const width = cellWidth(cell);
      if (!cell.continuesAbove || rowTopIsPageTop) doc.moveTo(x, y).lineTo(x + width, y).stroke();
      doc.moveTo(x, y).lineTo(x, y + rowHeight).stroke();
      if (index === row.cells.length - 1) doc.moveTo(x + width, y).lineTo(x + width, y + rowHeight).stroke();
      if (cell.text === '') return;
      // Vertically centred, as word processors lay out table cells.
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

function renderReport(blocks: Block[]): Promise<Buffer> {
  const title = blocks.find((block) => block.kind === 'title');
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: {
      Title: title?.kind === 'title' ? title.text : undefined,
      Producer: 'gongkai tools/make-sample-pdf.ts',
      CreationDate: FIXED_DATE,
      ModDate: FIXED_DATE,
    },
  });
  doc.registerFont(FONT, CJK_FONT_FILE, CJK_FONT_FACE);
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
        drawTable(doc, block.rows);
        break;
    }
  }
  doc.end();
  return finished;
}

async function main(): Promise<void> {
  const blocks = readBlocks(fs.readFileSync(SEED_PATH, 'utf8'));
  const pdf = await renderReport(blocks);
  fs.writeFileSync(OUTPUT_PATH, pdf);
  console.log(`wrote ${path.relative(REPO_ROOT, OUTPUT_PATH)} (${pdf.length} bytes)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
