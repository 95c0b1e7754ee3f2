/**
 * The OCR stage's core. Pages with a usable text layer pass straight through; scanned pages are read by
 * `ocrPage`: turned upright and levelled, ruled tables rebuilt from their rulings and read cell by cell
 * (numbers with a digits-only reading), the rest read as plain lines. Table rows come out as
 * tab-separated cells (label first, then the numbers), so parse reads a scan exactly like a text layout.
 */
import type { OcrCellBox, OcrPageInfo } from '../../shared/record';
import type { GreyImage, Rect } from './image';
import { binarize, blankImage, clampRect, downscale, dustSize, growRegion, openSpans, rotateQuarter } from './image';
import { flattenBackground } from './background';
import { detectRotation, levelAndTurn, readsUpright, rotateImage, viaLibvips, type OrientationOptions, type OrientationResult, type QuarterTurn } from './orientation';
import { buildTableGrids, type TableGrid } from '../geometry/grid';
import { readTableGrid, readUnruledRow, tidyCjkSpacing, type CellRead } from './cell-reader';
import { proseColumns, type ProsePiece } from './prose-columns';
import { findRulings } from './rulings';
import type { OcrLanguage, OcrLine, OcrResult, TesseractPool } from './tesseract-pool';

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
  return viaLibvips(image, (pipeline) => pipeline.median(3));
}

/** A piece of the page's text stacked into the reading image, its top at row `at` there. */
export interface StackedPiece extends ProsePiece {
  at: number;
}

/** Pieces of the page holding text outside the tables, stacked into one image in reading order. */
export interface TextRegions {
  image: GreyImage;
  pieces: StackedPiece[];
}

/**
 * The rows of the page that hold ink outside `exclude` (the tables), as bands split at blank gaps of
 * more than ~5 mm (a two-column stretch cut into its columns, left first: prose-columns.ts) and stacked
 * into one image with the blank paper between them cut out. Null when no
 * text is left. Rows with only a few inked pixels do not count, nor bands holding nothing but dust: the
 * recogniser makes characters of specks, and a speck read as a digit between two table rows joins a row.
 */
export function textRegions(page: GreyImage, mask: Uint8Array, exclude: Rect[]): TextRegions | null {
  const { width, height } = page;
  const dpi = page.dpi ?? 300;
  const tables = exclude.map((rect) => clampRect(rect, width, height));
  const minInk = Math.max(3, Math.round(dpi / 100));
  const inked = new Uint8Array(height);
  for (let y = 0; y < height; y++) {
    let count = 0;
    const row = y * width;
    for (const [from, to] of openSpans(y, width, tables)) for (let x = from; x < to; x++) count += mask[row + x];
    inked[y] = count >= minInk ? 1 : 0;
  }
  const maxGap = Math.round(dpi * 0.2);
  const margin = Math.round(dpi * 0.04);
  const minHeight = Math.round(dpi * 0.03);
  const bands: Array<{ from: number; to: number }> = [];
  let start = -1;
  let last = -1;
  const close = (): void => {
    if (start >= 0 && last - start + 1 >= minHeight) bands.push({ from: Math.max(0, start - margin), to: Math.min(height, last + 1 + margin) });
  };
  for (let y = 0; y < height; y++) {
    if (!inked[y]) continue;
    if (start < 0 || y - last > maxGap) {
      close();
      start = y;
    }
    last = y;
  }
  close();
  const pieces: StackedPiece[] = bands
    .filter((band) => holdsMoreThanDust(mask, width, band, tables, dustSize(page.dpi)))
    .flatMap((band) => proseColumns(mask, width, band, tables, dpi))
    .map((piece) => ({ ...piece, at: 0 }));
  if (pieces.length === 0) return null;
  const gap = margin;
  const total = pieces.reduce((sum, piece) => sum + piece.to - piece.from + gap, gap);
  const image = blankImage(width, total, page.dpi);
  let at = gap;
  for (const piece of pieces) {
    piece.at = at;
    for (let y = piece.from; y < piece.to; y++) {
      const row = y * width;
      const out = (at + y - piece.from) * width;
      for (const [open, close] of openSpans(y, width, tables)) {
        const from = Math.max(open, piece.left);
        const to = Math.min(close, piece.right);
        if (to > from) image.data.set(page.data.subarray(row + from, row + to), out + from);
      }
    }
    at += piece.to - piece.from + gap;
  }
  return { image, pieces };
}

/** Whether a band has a piece of ink (8-connected, outside the tables) at least `dust` pixels wide or tall. */
function holdsMoreThanDust(mask: Uint8Array, width: number, band: { from: number; to: number }, tables: Rect[], dust: number): boolean {
  const height = band.to - band.from;
  const ink = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = (band.from + y) * width;
    for (const [from, to] of openSpans(band.from + y, width, tables)) ink.set(mask.subarray(row + from, row + to), y * width + from);
  }
  const stack = new Int32Array(width * height);
  // Ink taken into a piece is marked 2.
  const takes = (k: number): boolean => {
    if (ink[k] !== 1) return false;
    ink[k] = 2;
    return true;
  };
  for (let start = 0; start < ink.length; start++) {
    if (!takes(start)) continue;
    stack[0] = start;
    const [x0, y0, x1, y1] = growRegion(width, height, stack, 1, takes)!.box;
    if (x1 - x0 + 1 >= dust || y1 - y0 + 1 >= dust) return true;
  }
  return false;
}

/** A line of the text outside the tables; `readingTop` orders it among the page's lines (see `readingTop`). */
export interface BodyLine extends OcrLine {
  readingTop: number;
}

/** The text outside the tables, its lines back at their places on the page. */
export interface BodyText extends OcrResult {
  lines: BodyLine[];
}

/**
 * Where a line falls in reading order, as a page row: its own top, except in a two-column run, whose left
 * column is read before its right: the left column's lines take the run's upper half, the right's the lower.
 */
function readingTop(piece: StackedPiece, stackedCentre: number, pageTop: number): number {
  if (piece.columnsOf === undefined) return pageTop;
  const height = piece.to - piece.from;
  const within = Math.min(1, Math.max(0, (stackedCentre - piece.at) / Math.max(1, height)));
  const half = piece.left === 0 ? 0 : 0.5;
  return piece.columnsOf.from + (half + within / 2) * (piece.columnsOf.to - piece.columnsOf.from);
}

/**
 * Reads the stacked text regions and puts every line and word back at its place on the page. Text is
 * read at about 150 dpi: body text is still 20+ px tall there, tesseract scales every line to its
 * network's height anyway, and its layout pass costs by the pixel (a quarter at half the resolution).
 */
async function readTextRegions(regions: TextRegions, pool: TesseractPool, language: OcrLanguage): Promise<BodyText> {
  const factor = Math.max(1, Math.floor((regions.image.dpi ?? 300) / 150));
  const result = await pool.recognize(downscale(await despeckle(regions.image), factor), { language, psm: '6' });
  const pieceAt = (centre: number): StackedPiece => regions.pieces.find((candidate) => centre < candidate.at + candidate.to - candidate.from) ?? regions.pieces[regions.pieces.length - 1];
  const toPage = (rect: Rect): Rect => {
    const [x0, y0, x1, y1] = rect.map((value) => value * factor);
    const piece = pieceAt((y0 + y1) / 2);
    const shift = piece.from - piece.at;
    return [x0, y0 + shift, x1, y1 + shift];
  };
  return {
    ...result,
    lines: result.lines.map((line) => {
      const bbox = toPage(line.bbox);
      const centre = ((line.bbox[1] + line.bbox[3]) / 2) * factor;
      return { ...line, bbox, readingTop: readingTop(pieceAt(centre), centre, bbox[1]), words: line.words.map((word) => ({ ...word, bbox: toPage(word.bbox) })) };
    }),
  };
}

/** The resolution the page is read at; every size rule of the reader (dust, rulings, bands) is set for it. */
const READING_DPI = 300;

/** Pages under 250 dpi are read enlarged; an image of unknown resolution is read as it is. */
const needsEnlarging = (image: GreyImage): image is GreyImage & { dpi: number } => image.dpi !== null && image.dpi < 250;

/**
 * A page scanned at 150–200 dpi enlarged to 300 (bicubic, in libvips): small print there is a dozen
 * pixels tall, and its thin strokes break apart under a threshold.
 */
async function atReadingResolution(image: GreyImage): Promise<GreyImage> {
  if (!needsEnlarging(image)) return image;
  const scale = READING_DPI / image.dpi;
  const width = Math.round(image.width * scale);
  const height = Math.round(image.height * scale);
  return { ...(await viaLibvips(image, (pipeline) => pipeline.resize(width, height, { kernel: 'cubic' }))), dpi: READING_DPI };
}

/** The page as it is read, and the same page turned and levelled at the scan's own resolution. */
interface UprightPage {
  page: GreyImage & Omit<OrientationResult, 'image'>;
  atScanResolution: GreyImage;
}

/**
 * The page upright, straight, its paper evened and at reading resolution. Orientation is judged at the scan's own
 * resolution: an enlarged 200-dpi page's sample, halved for speed as 300-dpi samples are, reads too
 * poorly to tell 90° from 270°. The skew is undone on the enlarged page: straightening a 150-dpi page
 * before enlarging it blurs its thin strokes past reading.
 */
async function uprightAtReadingResolution(image: GreyImage, turn: QuarterTurn, options: OrientationOptions): Promise<UprightPage> {
  const { image: oriented, rotation, skewDegrees } = await levelAndTurn(flattenBackground(image), turn, options);
  if (!needsEnlarging(image)) return { page: { ...oriented, rotation, skewDegrees }, atScanResolution: oriented };
  // Paper is evened on the enlarged page too: levelled before enlarging, faint strokes came out fainter.
  const enlarged = flattenBackground(await atReadingResolution(rotateQuarter(image, rotation)));
  await yieldToEventLoop();
  return { page: { ...(skewDegrees === 0 ? enlarged : await rotateImage(enlarged, -skewDegrees)), rotation, skewDegrees }, atScanResolution: oriented };
}

/** A page turned and levelled, its table grids found and the text outside them read. */
interface LaidOutPage extends UprightPage {
  mask: Uint8Array;
  grids: TableGrid[];
  maxThickness: number;
  body: BodyText | null;
}

/**
 * Turns and levels the page, finds its tables and reads the text outside them as one block: blank paper
 * (and the tables, painted out) is cut away first, since tesseract's layout pass costs by the pixel.
 */
async function layOutPage(image: GreyImage, turn: QuarterTurn, pool: TesseractPool, options: OrientationOptions & { language: OcrLanguage }): Promise<LaidOutPage> {
  const upright = await uprightAtReadingResolution(image, turn, options);
  const { page } = upright;
  await yieldToEventLoop();
  const mask = binarize(page);
  await yieldToEventLoop();
  const rulings = findRulings(mask, page.width, page.height);
  await yieldToEventLoop();
  // A row at least ~4 mm tall left open at a page break still counts as a row.
  const grids: TableGrid[] = buildTableGrids(rulings, { openEdgeRow: Math.round((page.dpi ?? 300) * 0.15) });
  const maxThickness = Math.max(2, ...rulings.horizontal.map((r) => r.thickness), ...rulings.vertical.map((r) => r.thickness));
  const pad = 4;
  // A table's column rulings can stick out past its first or last row (a table continued from the previous
  // page, a row cut at the page break): those stubs belong to the table, or the text reading takes them for a row of 1s.
  const stubReach = Math.round((page.dpi ?? 300) * 0.3);
  const tableRects = grids.map((g): Rect => {
    const [x0, y0, x1, y1] = g.bbox;
    const columns = rulings.vertical.filter((r) => r.pos >= x0 - pad && r.pos <= x1 + pad && r.from < y1 && r.to > y0);
    const top = Math.max(y0 - stubReach, Math.min(y0, ...columns.map((r) => r.from)));
    const bottom = Math.min(y1 + stubReach, Math.max(y1, ...columns.map((r) => r.to)));
    return [x0 - pad, top - pad, x1 + pad, bottom + pad];
  });
  const regions = textRegions(page, mask, tableRects);
  const body = regions === null ? null : await readTextRegions(regions, pool, options.language);
  return { ...upright, mask, grids, maxThickness, body };
}

/**
 * Most pages lie upright: they are laid out and their text read as they lie, and a turn is looked for
 * (on a sample, at each quarter turn) only when that text does not read confidently; a turned page is
 * then laid out again.
 */
async function layOutUpright(image: GreyImage, pool: TesseractPool, options: OrientationOptions & { language: OcrLanguage }): Promise<LaidOutPage> {
  const asItLies = await layOutPage(image, 0, pool, options);
  if (!(options.detectRotation ?? true) || (asItLies.body !== null && readsUpright(asItLies.body, options))) return asItLies;
  const { rotation } = await detectRotation(asItLies.atScanResolution, pool, options);
  return rotation === 0 ? asItLies : layOutPage(image, rotation, pool, options);
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

/**
 * A table label as the form prints it. Row numbering ("1.属于国家秘密") often loses its point to the
 * scan, and "1属于…" would read as the number 1 in front of a label: the point goes back. A full stop
 * inside a label is a speck read as one (labels are never sentences), and would make it prose.
 */
export function tidyTableLabel(label: string): string {
  return label.replace(/[。]/g, '').replace(/(^|[\s)）])(\d{1,2})(?=\p{Script=Han})/gu, '$1$2.');
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
        text: tidyTableLabel(labelParts.map((cell) => cell.text).join(' ')),
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
  const { page, mask, grids, maxThickness, body } = await layOutUpright(image, pool, { ...options, language });
  const inset = Math.min(10, Math.ceil(maxThickness / 2) + 3);
  const tableRows = await Promise.all(grids.map((grid) => readTableGrid(page, mask, grid, pool, { language, inset, rulingThickness: maxThickness })));

  const lines: OutputLine[] = [];
  for (const rows of tableRows) for (const row of rows) lines.push(tableRowLine(row.cells, row.bbox));
  const unruled = options.unruledTables ?? true;
  const bodyLines = await Promise.all(
    (body?.lines ?? []).map(async (line): Promise<OutputLine | null> => {
      const text = tidyCjkSpacing(line.text);
      if (text === '') return null;
      const cells = unruled ? await readUnruledRow(page, mask, line, pool, { language, inset: 0 }) : null;
      if (cells) return { ...tableRowLine(cells, line.bbox), top: line.readingTop };
      return { top: line.readingTop, cells: [{ text, bbox: line.bbox, confidence: line.confidence, blank: false }] };
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
      rotation: page.rotation,
      skewDegrees: page.skewDegrees,
      width: page.width,
      height: page.height,
      dpi: page.dpi,
      meanConfidence,
      boxes,
    },
  };
}
