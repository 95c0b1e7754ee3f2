/**
 * The OCR stage's core. Pages with a usable text layer pass straight through; scanned pages are read by
 * `ocrPage`: turned upright and levelled, ruled tables rebuilt from their rulings and read cell by cell
 * (numbers with a digits-only reading), the rest read as plain lines. Table rows come out as
 * tab-separated cells (label first, then the numbers), so parse reads a scan exactly like a text layout.
 */
import type { ExtractedPage, OcrCellBox, OcrPageInfo } from '../../shared/record';
import type { GreyImage, Rect } from './image';
import { binarize, whiteOut } from './image';
import sharp from 'sharp';
import { correctOrientation, singleChannel, type OrientationOptions } from './orientation';
import { buildTableGrids, type TableGrid } from '../geometry/grid';
import { findRulings, readTableGrid, readUnruledRow, tidyCjkSpacing, type CellRead } from './table-grid';
import type { OcrLanguage, TesseractPool } from './tesseract-pool';

/** Scanned pages not read yet. */
export function pagesNeedingOcr(pages: ExtractedPage[]): ExtractedPage[] {
  return pages.filter((page) => page.needsOcr && !page.ocr);
}

/**
 * The pixel work here is plain JavaScript on this thread (each step ≤ ~100 ms on a 300-dpi page); yielding
 * between steps keeps any single block of the event loop that short, so queue lock renewals keep running.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A 3×3 median removes scanner dust (1–3 px specks) that a whole-page reading turns into stray
 * characters; only at scan resolutions (≥ 200 dpi, or large images of unknown resolution), where
 * strokes are several pixels wide and survive it. Runs in libvips's threads.
 */
async function despeckle(image: GreyImage): Promise<GreyImage> {
  const scanResolution = image.dpi !== null ? image.dpi >= 200 : Math.max(image.width, image.height) >= 2400;
  if (!scanResolution) return image;
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 1 } })
    .median(3)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { ...image, data: singleChannel(data, info.width, info.height, info.channels) };
}

export interface OcrPageOptions extends OrientationOptions {
  language?: OcrLanguage;
  /** Read unruled lines with several numbers as table rows (default true). */
  unruledTables?: boolean;
}

export interface OcrPageResult {
  text: string;
  ocr: OcrPageInfo;
}

/** One output line before numbering: its top (for reading order), its tab cells and their boxes. */
interface OutputLine {
  top: number;
  cells: Array<{ text: string; bbox: Rect; confidence: number; blank: boolean }>;
}

/** A table row as "label, then numbers": leading text cells of a row with numbers join into one label cell. */
function tableRowLine(cells: CellRead[], bbox: Rect): OutputLine {
  const firstNumber = cells.findIndex((cell) => cell.numeric);
  const hasNumbers = firstNumber >= 0;
  const leading = hasNumbers ? cells.slice(0, firstNumber) : [];
  const rest = hasNumbers ? cells.slice(firstNumber) : cells;
  const out: OutputLine['cells'] = [];
  const labelParts = leading.filter((cell) => !cell.blank);
  if (leading.length > 0) {
    if (labelParts.length === 0) out.push({ text: '', bbox: leading[0].bbox, confidence: 100, blank: true });
    else {
      out.push({
        text: labelParts.map((cell) => cell.text).join(' '),
        bbox: [Math.min(...labelParts.map((c) => c.bbox[0])), Math.min(...labelParts.map((c) => c.bbox[1])), Math.max(...labelParts.map((c) => c.bbox[2])), Math.max(...labelParts.map((c) => c.bbox[3]))],
        confidence: Math.min(...labelParts.map((c) => c.confidence)),
        blank: false,
      });
    }
  }
  for (const cell of rest) out.push({ text: cell.text.replace(/[\t\n]/g, ' '), bbox: cell.bbox, confidence: cell.confidence, blank: cell.blank });
  return { top: bbox[1], cells: out };
}

/**
 * Reads one page image. The returned boxes are in pixels of the corrected image (`ocr.width` ×
 * `ocr.height`), one per tab cell (a plain line is one cell).
 */
export async function ocrPage(image: GreyImage, pool: TesseractPool, options: OcrPageOptions = {}): Promise<OcrPageResult> {
  const language = options.language ?? 'chi_sim';
  const oriented = await correctOrientation(image, pool, { ...options, language });
  const page = oriented.image;
  await yieldToEventLoop();
  const mask = binarize(page);
  await yieldToEventLoop();
  const rulings = findRulings(mask, page.width, page.height);
  await yieldToEventLoop();
  const grids: TableGrid[] = buildTableGrids(rulings);
  const maxThickness = Math.max(2, ...rulings.horizontal.map((r) => r.thickness), ...rulings.vertical.map((r) => r.thickness));
  const inset = Math.min(10, Math.ceil(maxThickness / 2) + 3);

  // Tables cell by cell, and everything else as one block read with the tables painted out.
  const pad = 4;
  const rest = await despeckle(whiteOut(page, grids.map((g) => [g.bbox[0] - pad, g.bbox[1] - pad, g.bbox[2] + pad, g.bbox[3] + pad] as Rect)));
  const [tableRows, body] = await Promise.all([
    Promise.all(grids.map((grid) => readTableGrid(page, mask, grid, pool, { language, inset }))),
    pool.recognize(rest, { language, psm: '6' }),
  ]);

  const lines: OutputLine[] = [];
  for (const rows of tableRows) for (const row of rows) lines.push(tableRowLine(row.cells, row.bbox));
  const unruled = options.unruledTables ?? true;
  const bodyLines = await Promise.all(
    body.lines.map(async (line): Promise<OutputLine | null> => {
      const text = tidyCjkSpacing(line.text);
      if (text === '') return null;
      const cells = unruled ? await readUnruledRow(page, mask, line, pool, { language, inset: 0 }) : null;
      if (cells) return tableRowLine(cells, line.bbox);
      return { top: line.bbox[1], cells: [{ text, bbox: line.bbox, confidence: line.confidence, blank: false }] };
    }),
  );
  for (const line of bodyLines) if (line) lines.push(line);
  lines.sort((a, b) => a.top - b.top);

  const boxes: OcrCellBox[] = [];
  const textLines: string[] = [];
  lines.forEach((line, lineIndex) => {
    textLines.push(line.cells.map((cell) => cell.text).join('\t'));
    line.cells.forEach((cell, cellIndex) => {
      boxes.push({ line: lineIndex, cell: cellIndex, bbox: cell.bbox, confidence: Math.round(cell.confidence * 10) / 10 });
    });
  });
  const read = lines.flatMap((line) => line.cells.filter((cell) => !cell.blank));
  const meanConfidence = read.length === 0 ? 0 : Math.round((read.reduce((s, c) => s + c.confidence, 0) / read.length) * 10) / 10;
  return {
    text: textLines.join('\n'),
    ocr: {
      rotation: oriented.rotation,
      skewDegrees: oriented.skewDegrees,
      width: page.width,
      height: page.height,
      dpi: page.dpi,
      meanConfidence,
      boxes,
    },
  };
}
