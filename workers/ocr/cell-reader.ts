/**
 * Reading table cells from a scanned page, digits first. Table values are digits (and a few 万元
 * decimals), so every cell that could hold a number is read first by the small English model with a
 * digits-only whitelist: about twice as fast as chi_sim and as exact on printed digits, and sure of
 * itself only on digits (Chinese text reads at confidence ~0). Cells that are not sure numbers are
 * read as text by the Chinese model; a reading that still looks like a number then gets second
 * opinions — chi_sim's digits, the crop at twice the size, the crop binarised — and the majority wins.
 * When the opinions disagree, the cell's confidence drops below parse's threshold, so the value
 * carries a finding instead of a guess.
 *
 * Ruled tables are read cell by cell from the grid (../geometry/grid.ts); unruled rows are the lines
 * of a PSM 6 reading split into cells at wide gaps.
 */
import { UNREADABLE_CELL } from '../../shared/record';
import type { TableGrid } from '../geometry/grid';
import { splitAtGaps } from '../geometry/layout';
import type { GreyImage, Rect } from './image';
import { binarize, cropImage, dustSize, growRegion, otsuThreshold, resizeBilinear } from './image';
import type { OcrLanguage, OcrLine, OcrWord, PageSegMode, TesseractPool } from './tesseract-pool';

/** Characters of a cell that holds a number or a placeholder. */
export const DIGIT_WHITELIST = '0123456789.-/';
/** The model for digits: eng's LSTM is a fraction of chi_sim's and reads whitelisted digits as well. */
const DIGIT_MODEL: OcrLanguage = 'eng';
/**
 * A digits-first reading at least this sure stands on its own. Measured on the scan fixtures and
 * generated scans: clean digits read at 92–96, Chinese text at 0–10; a 5 whose hairline a bilevel scan
 * broke read as 3 at 84 and at 91. Everything below gets second opinions.
 */
const SURE_DIGITS = 93;
/** Confidence given to a value the second opinions did not agree on: under parse's threshold (70), so it is flagged. */
const DISPUTED_CONFIDENCE = 55;
/** A Chinese reading below this is a guess: a lone digit the line reader dropped comes back as a character at 0–30. */
const UNSURE_TEXT = 50;
/** A reading that looks like a number (tesseract's usual confusions included). */
const NUMERIC_LOOKING = /^[\s0-9.,\-—–/|[\]oOlIUDQSBZ]+$/;
const HAS_DIGIT = /[0-9oOlIUDQSBZ]/;
/** A line of ink wider than this many line heights is text: no table value has that many characters. */
const MAX_NUMBER_ASPECT = 7;

export interface CellRead {
  text: string;
  bbox: Rect;
  confidence: number;
  numeric: boolean;
  blank: boolean;
}

export interface TableRowRead {
  /** Grid row index (a merged cell belongs to the row it starts in). */
  row: number;
  bbox: Rect;
  cells: CellRead[];
}

/** Removes the spaces tesseract puts between CJK characters (and around them), keeping spaces between Latin words. */
export function tidyCjkSpacing(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+/g, '')
    .trim();
}

export interface CellReadOptions {
  language?: OcrLanguage;
  /** Pixels trimmed inside the rulings before looking for ink. */
  inset?: number;
  /** The page's thickest ruling (pixels): a piece of border that thick along a cell's edge is not ink. */
  rulingThickness?: number;
}

export interface CellInk {
  /** Ink bounding box in page pixels. */
  box: Rect;
  /** The cell's grey pixels inside `box` (plus padding), with specks and ruling remnants painted white. */
  crop: GreyImage;
  lines: number;
  /** Rows [from, to) of each text line within `crop`. */
  bands: Array<[number, number]>;
}

interface Reading {
  text: string;
  confidence: number;
}

/**
 * Grey touching a cell's kept ink is part of its strokes when it is this far (as a share of the way from the ink's
 * mean grey to white paper) or less from the ink: a pale scan's ink at 140 takes in grey up to 186.
 */
const FAINT_SHARE = 0.4;

/** Text lines shorter than this (pixels) are enlarged before reading: small print at 150 dpi is ~13 px. */
const MIN_READ_HEIGHT = 26;

/**
 * One crop per text line of the cell (tesseract misreads a wrapped label read as one block), small
 * print enlarged to a height the recogniser reads well.
 */
function lineCrops(ink: CellInk): GreyImage[] {
  let crops = readCrops.get(ink);
  if (crops === undefined) {
    crops = cutLineCrops(ink);
    readCrops.set(ink, crops);
  }
  return crops;
}

/** A cell unsure of its digits is read up to six times: its crops are cut once. */
const readCrops = new WeakMap<CellInk, GreyImage[]>();

function cutLineCrops(ink: CellInk): GreyImage[] {
  const margin = 10;
  const crops = ink.bands.length <= 1 ? [ink.crop] : ink.bands.map(([from, to]) => cropImage(ink.crop, [0, Math.max(0, from - margin), ink.crop.width, Math.min(ink.crop.height, to + margin)]));
  return crops.map((crop, line) => {
    const [from, to] = ink.bands[line] ?? [0, crop.height];
    return to - from < MIN_READ_HEIGHT ? resizeBilinear(crop, MIN_READ_HEIGHT / Math.max(1, to - from)) : crop;
  });
}

/** A line's text height in its read crop. */
function readHeight(ink: CellInk, line: number): number {
  const [from, to] = ink.bands[line] ?? [0, ink.crop.height];
  return Math.max(MIN_READ_HEIGHT, to - from);
}

async function readText(ink: CellInk, pool: TesseractPool, language: OcrLanguage | undefined): Promise<Reading> {
  const results = await Promise.all(lineCrops(ink).map((crop) => pool.recognize(crop, { language, psm: '7', words: false })));
  const text = tidyCjkSpacing(results.map((r) => r.text).join(' '));
  return { text, confidence: results.reduce((sum, r) => sum + r.confidence, 0) / results.length };
}

/**
 * The ink of a cell without scanner specks and ruling remnants: connected components smaller than
 * `minArea` or shaped like a piece of border (long and thin along an edge) are dropped. Null when the
 * cell is blank.
 */
export function cellInk(image: GreyImage, mask: Uint8Array, rect: Rect, rulingThickness = 0, pad = 12): CellInk | null {
  const [x0, y0, x1, y1] = rect;
  const w = x1 - x0;
  const h = y1 - y0;
  if (w < 4 || h < 4) return null;
  const pageWidth = image.width;
  const maskAt = y0 * pageWidth + x0;
  const labels = new Int32Array(w * h).fill(-1);
  // Each pixel is pushed once, when it is labelled.
  const stack = new Int32Array(w * h);
  const boxes: Array<[number, number, number, number]> = [];
  const areas: number[] = [];
  const border: boolean[] = [];
  let tallest = 0;
  let next = 0;
  const thin = Math.max(3, Math.round(h * 0.08), rulingThickness + 2);
  const minPiece = dustSize(image.dpi);
  for (let sy = 0; sy < h; sy++) {
    for (let sx = 0; sx < w; sx++) {
      const seed = sy * w + sx;
      if (labels[seed] !== -1 || mask[maskAt + sy * pageWidth + sx] === 0) continue;
      const label = next++;
      labels[seed] = label;
      stack[0] = seed;
      const piece = growRegion(w, h, stack, 1, (k, nx, ny) => {
        if (labels[k] !== -1 || mask[maskAt + ny * pageWidth + nx] === 0) return false;
        labels[k] = label;
        return true;
      })!;
      const [bx0, by0, bx1, by1] = piece.box;
      const cw = bx1 - bx0 + 1;
      const ch = by1 - by0 + 1;
      const touchesEdge = bx0 === 0 || by0 === 0 || bx1 === w - 1 || by1 === h - 1;
      const borderPiece = touchesEdge && ((cw >= 0.5 * w && ch <= thin) || (ch >= 0.5 * h && cw <= thin));
      boxes[label] = piece.box;
      areas[label] = piece.area;
      border[label] = borderPiece;
      if (!borderPiece && Math.max(cw, ch) >= minPiece && ch > tallest) tallest = ch;
    }
  }
  // Specks are judged against the text's scale (its tallest piece), not the cell's, which may span rows;
  // and whatever the scale, dust is dust.
  const minArea = Math.max(4, Math.round((0.12 * tallest) ** 2));
  const keep = new Uint8Array(next);
  const small = new Uint8Array(next);
  for (let label = 0; label < next; label++) {
    const [cx0, cy0, cx1, cy1] = boxes[label];
    const isDust = Math.max(cx1 - cx0 + 1, cy1 - cy0 + 1) < minPiece;
    keep[label] = !border[label] && !isDust && areas[label] >= minArea ? 1 : 0;
    small[label] = !border[label] && !keep[label] ? 1 : 0;
  }
  // Small pieces next to real strokes are parts of characters (dots, short strokes); isolated ones are specks.
  const big = boxes.filter((_, label) => keep[label]);
  const reach = Math.max(3, Math.round(0.25 * tallest));
  for (let label = 0; label < next; label++) {
    if (!small[label]) continue;
    const [sx0, sy0, sx1, sy1] = boxes[label];
    keep[label] = big.some((b) => sx0 <= b[2] + reach && sx1 >= b[0] - reach && sy0 <= b[3] + reach && sy1 >= b[1] - reach) ? 1 : 0;
  }
  // The kept ink grows into faint ink touching it: on a pale scan a stroke's thinner parts are lighter than the
  // page's threshold (the stem of a 5, without which it reads as a 3 with full confidence). Faint is judged
  // against the cell's own ink, so the grey edges of black print (a 1-bit or sharp scan) do not grow it.
  const inked = new Uint8Array(w * h);
  let top = 0;
  let inkSum = 0;
  for (let i = 0; i < w * h; i++) {
    if (labels[i] < 0 || !keep[labels[i]]) continue;
    inked[i] = 1;
    stack[top++] = i;
    inkSum += image.data[(y0 + (i - (i % w)) / w) * pageWidth + x0 + (i % w)];
  }
  const inkLevel = top === 0 ? 0 : inkSum / top;
  const faint = inkLevel + FAINT_SHARE * (255 - inkLevel);
  const grown = growRegion(w, h, stack, top, (k, nx, ny) => {
    if (inked[k] === 1 || labels[k] >= 0 || image.data[(y0 + ny) * pageWidth + x0 + nx] >= faint) return false;
    inked[k] = 1;
    return true;
  });
  if (grown === null) return null;
  const [bx0, by0, bx1, by1] = grown.box;
  const cropW = bx1 - bx0 + 1 + 2 * pad;
  const cropH = by1 - by0 + 1 + 2 * pad;
  const data = new Uint8Array(cropW * cropH).fill(255);
  // Text lines: runs of rows holding kept ink, split by gaps of 3+ empty rows.
  const bands: Array<[number, number]> = [];
  let gap = 3;
  // The kept ink is copied with a margin of a pixel or two around it: the grey edges of strokes and the
  // thin strokes a threshold broke off matter to the recogniser; specks and paper noise further out do not.
  const reachOut = Math.max(1, Math.round((image.dpi ?? 300) / 150));
  const keptWithin = new Uint8Array(w * h);
  const rowInk = new Uint8Array(h);
  for (let y = by0; y <= by1; y++) {
    const row = y * w;
    for (let x = bx0; x <= bx1; x++) {
      if (inked[row + x] === 0) continue;
      rowInk[y] = 1;
      keptWithin.fill(1, row + Math.max(0, x - reachOut), row + Math.min(w, x + reachOut + 1));
    }
  }
  for (let y = by0; y <= by1; y++) {
    const row = y * w;
    const fromY = Math.max(by0, y - reachOut);
    const toY = Math.min(by1, y + reachOut);
    const out = (y - by0 + pad) * cropW + pad - bx0;
    const source = (y0 + y) * pageWidth + x0;
    for (let x = bx0; x <= bx1; x++) {
      const l = labels[row + x];
      if (l >= 0 && !keep[l]) continue;
      let near = false;
      for (let ny = fromY; ny <= toY && !near; ny++) near = keptWithin[ny * w + x] === 1;
      if (near) data[out + x] = image.data[source + x];
    }
    if (rowInk[y]) {
      const cy = y - by0 + pad;
      if (gap >= 3 || bands.length === 0) bands.push([cy, cy + 1]);
      else bands[bands.length - 1][1] = cy + 1;
      gap = 0;
    } else gap++;
  }
  // A sliver (an underline, a stray mark, the top bar of a 5 a thin scan broke off) is not a line of its
  // own: merge bands well short of the tallest (a line of text is as tall as its neighbours).
  const tallestBand = Math.max(...bands.map(([a, b]) => b - a));
  const merged: Array<[number, number]> = [];
  for (const band of bands) {
    const last = merged[merged.length - 1];
    if (last && (band[1] - band[0] < 0.6 * tallestBand || last[1] - last[0] < 0.6 * tallestBand)) last[1] = band[1];
    else merged.push([band[0], band[1]]);
  }
  return {
    box: [x0 + bx0, y0 + by0, x0 + bx1 + 1, y0 + by1 + 1],
    crop: { width: cropW, height: cropH, data, dpi: image.dpi },
    lines: merged.length,
    bands: merged,
  };
}

/**
 * A placeholder dash: one short stroke no thicker than a pen line (under 1/35 inch), at least twice as wide
 * as it is thick. The recognisers make garbage of a crop that is a few pixels tall.
 */
function isDash(ink: CellInk): boolean {
  if (ink.bands.length !== 1) return false;
  const dpi = ink.crop.dpi ?? 300;
  const thickness = ink.box[3] - ink.box[1];
  const width = ink.box[2] - ink.box[0];
  return thickness <= dpi / 35 && width >= 2 * thickness && width <= dpi / 5;
}

/** Could this ink be a number? A few short lines; a long line of ink is a label. */
function mayBeNumber(ink: CellInk): boolean {
  if (ink.bands.length > 3) return false;
  const width = ink.box[2] - ink.box[0];
  return ink.bands.every(([from, to]) => width <= MAX_NUMBER_ASPECT * Math.max(1, to - from));
}

/** How a crop is prepared for one opinion. */
type CropVariant = 'as-is' | 'rescaled' | 'binarised';

/** Digit height the recogniser reads best at; a second opinion sees the crop scaled to it. */
const PREFERRED_DIGIT_HEIGHT = 32;

function prepare(crop: GreyImage, variant: CropVariant, lineHeight: number): GreyImage {
  if (variant === 'rescaled') {
    const scale = PREFERRED_DIGIT_HEIGHT / Math.max(1, lineHeight);
    // Already about the right size: another scale, so the opinion differs from the first reading.
    return resizeBilinear(crop, Math.abs(scale - 1) < 0.2 ? 1.5 : scale);
  }
  if (variant === 'binarised') {
    const mask = binarize(crop, otsuThreshold(crop));
    return { ...crop, data: mask.map((ink) => (ink ? 0 : 255)) };
  }
  return crop;
}

/** A digits-only reading of a cell, line by line (a number wrapped in a narrow cell joins up again). */
async function readDigits(ink: CellInk, pool: TesseractPool, language: OcrLanguage, psm: PageSegMode, variant: CropVariant): Promise<Reading | null> {
  const parts = await Promise.all(
    lineCrops(ink).map(async (crop, line) => {
      const result = await pool.recognize(prepare(crop, variant, readHeight(ink, line)), { language, psm, whitelist: DIGIT_WHITELIST, words: false });
      // A number neither starts nor ends with a point: those are specks.
      const text = result.text.replace(/\s+/g, '').replace(/^\.+|\.+$/g, '');
      return text === '' ? null : { text, confidence: result.confidence };
    }),
  );
  if (parts.some((part) => part === null)) return null;
  const read = parts as Reading[];
  return { text: read.map((p) => p.text).join(''), confidence: Math.min(...read.map((p) => p.confidence)) };
}

/**
 * Whether `text` fits the ink: a digit is at most about 0.75 line heights wide (a CJK character is one),
 * so a Chinese word read as a short number, or a number read with a digit missing ("38" as "8"), is
 * caught by its width.
 */
function fitsInk(ink: CellInk, text: string): boolean {
  const lineHeight = Math.max(...ink.bands.map(([from, to]) => to - from));
  const width = ink.box[2] - ink.box[0];
  const characters = text.length / ink.bands.length;
  return width <= characters * 0.75 * lineHeight + 0.15 * lineHeight;
}

/**
 * Second opinions on an unsure number: chi_sim's digits, eng's as a single word, and eng's on the crop
 * at another scale and binarised. The reading most of them share wins, sure only when none contradicts it.
 */
async function settleDigits(ink: CellInk, first: Reading | null, pool: TesseractPool, language: OcrLanguage): Promise<Reading | null> {
  const opinions = await Promise.all([
    readDigits(ink, pool, language, '7', 'as-is'),
    readDigits(ink, pool, DIGIT_MODEL, '8', 'as-is'),
    readDigits(ink, pool, DIGIT_MODEL, '7', 'rescaled'),
    readDigits(ink, pool, DIGIT_MODEL, '7', 'binarised'),
  ]);
  const readings = [first, ...opinions].filter((reading): reading is Reading => reading !== null);
  if (readings.length === 0) return null;
  const votes = new Map<string, Reading[]>();
  for (const reading of readings) votes.set(reading.text, [...(votes.get(reading.text) ?? []), reading]);
  const ranked = [...votes.values()].sort((a, b) => b.length - a.length || Math.max(...b.map((r) => r.confidence)) - Math.max(...a.map((r) => r.confidence)));
  const winner = ranked[0];
  const best = Math.max(...winner.map((reading) => reading.confidence));
  const unanimous = ranked.length === 1 && winner.length >= 2;
  return { text: winner[0].text, confidence: unanimous && fitsInk(ink, winner[0].text) ? best : Math.min(best, DISPUTED_CONFIDENCE) };
}

/** Common confusions of a general reading of a number. */
function foldDigitLookalikes(text: string): string {
  return text
    .replace(/[oOUDQ]/g, '0')
    .replace(/[lI|[\]]/g, '1')
    .replace(/S/g, '5')
    .replace(/B/g, '8')
    .replace(/Z/g, '2')
    .replace(/[,，]/g, '')
    .replace(/\s+/g, '');
}

const looksLikeNumber = (text: string): boolean => NUMERIC_LOOKING.test(text) && HAS_DIGIT.test(text);
/** A number or a placeholder dash. */
const looksNumeric = (text: string): boolean => looksLikeNumber(text) || /^[-—–/]$/.test(text);

/**
 * Reads one cell: digits first; a sure, well-fitting number is done. Otherwise the Chinese model reads
 * it as text, and a reading that looks like a number (or nothing) is settled by second opinions.
 */
export async function readCell(image: GreyImage, mask: Uint8Array, rect: Rect, pool: TesseractPool, options: CellReadOptions = {}): Promise<CellRead> {
  return readCellInk(cellInk(image, mask, insetRect(rect, options.inset ?? 4), options.rulingThickness), rect, pool, options);
}

function insetRect(rect: Rect, inset: number): Rect {
  return [rect[0] + inset, rect[1] + inset, rect[2] - inset, rect[3] - inset];
}

async function readCellInk(ink: CellInk | null, rect: Rect, pool: TesseractPool, options: CellReadOptions): Promise<CellRead> {
  if (ink === null) return { text: '', bbox: rect, confidence: 100, numeric: false, blank: true };
  const language = options.language ?? 'chi_sim';
  const number = (reading: Reading): CellRead => ({ text: reading.text, bbox: ink.box, confidence: reading.confidence, numeric: true, blank: false });
  if (isDash(ink)) return number({ text: '-', confidence: 90 });
  const digits = mayBeNumber(ink) ? await readDigits(ink, pool, DIGIT_MODEL, '7', 'as-is') : null;
  if (digits && digits.confidence >= SURE_DIGITS && fitsInk(ink, digits.text)) return number(digits);
  const text = await readText(ink, pool, language);
  if (text.text === '' || looksNumeric(text.text)) {
    const settled = await settleDigits(ink, digits, pool, language);
    if (settled) return number(settled);
    const folded = foldDigitLookalikes(text.text);
    if (/^[0-9./-]+$/.test(folded)) return number({ text: folded, confidence: Math.min(text.confidence, DISPUTED_CONFIDENCE) });
    // Ink that no reading makes anything of is not a blank cell: say so, or a lost digit reads as "left blank".
    if (text.text === '') return number({ text: UNREADABLE_CELL, confidence: 0 });
  } else if (text.confidence < UNSURE_TEXT && mayBeNumber(ink)) {
    // A guessed character in number-shaped ink: digits that fit it win, flagged, since the Chinese reading disagreed.
    const settled = await settleDigits(ink, digits, pool, language);
    if (settled && fitsInk(ink, settled.text)) return number({ ...settled, confidence: Math.min(settled.confidence, DISPUTED_CONFIDENCE) });
  }
  return { text: text.text, bbox: ink.box, confidence: text.confidence, numeric: false, blank: false };
}

/** Resolves after pending I/O and timers have had a turn. */
const pause = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A cell in a column of numbers, on a row of numbers, between two numbers of its row or closing a row of
 * numbers, is a number even when its first reading was not (noise turns a "3" into a character): settle it as digits, and
 * flag it.
 */
async function rereadNumericColumns(grid: TableGrid, inks: Array<CellInk | null>, reads: CellRead[], pool: TesseractPool, options: CellReadOptions): Promise<void> {
  const numbersInRow = new Map<number, number>();
  grid.cells.forEach((cell, i) => {
    if (reads[i].numeric) numbersInRow.set(cell.row, (numbersInRow.get(cell.row) ?? 0) + 1);
  });
  // Columns are judged on the rows that hold numbers, so header cells do not count against them.
  const perColumn = new Map<number, { numeric: number; text: number }>();
  grid.cells.forEach((cell, i) => {
    const read = reads[i];
    if (read.blank || cell.colSpan > 1 || (numbersInRow.get(cell.row) ?? 0) < 2) return;
    const column = perColumn.get(cell.col) ?? { numeric: 0, text: 0 };
    if (read.numeric) column.numeric++;
    else column.text++;
    perColumn.set(cell.col, column);
  });
  // A cell with numbers on both sides in its row, or closing it (a table of one row of numbers has no column to go by).
  const numericAt = new Map(grid.cells.map((cell, i) => [`${cell.row}:${cell.col}`, reads[i].numeric]));
  const lastColumn = new Map<number, number>();
  for (const cell of grid.cells) lastColumn.set(cell.row, Math.max(lastColumn.get(cell.row) ?? 0, cell.col));
  // Labels come first in a row: a cell closing a row after its numbers is one of them (a total, as a rule).
  const amongNumbers = (cell: TableGrid['cells'][number]): boolean =>
    numericAt.get(`${cell.row}:${cell.col - 1}`) === true &&
    (numericAt.get(`${cell.row}:${cell.col + cell.colSpan}`) === true || (cell.col === lastColumn.get(cell.row) && (numbersInRow.get(cell.row) ?? 0) >= 2));
  await Promise.all(
    grid.cells.map(async (cell, i) => {
      const read = reads[i];
      const column = perColumn.get(cell.col);
      if (read.blank || read.numeric || cell.colSpan > 1) return;
      const inNumericColumn = column !== undefined && column.numeric >= 2 * column.text && (numbersInRow.get(cell.row) ?? 0) >= 2;
      if (!inNumericColumn && !amongNumbers(cell)) return;
      const ink = inks[i];
      if (!ink) return;
      // A character in a column of numbers is a number misread: its digits, or a mark that it could not be read.
      const digits = (await settleDigits(ink, null, pool, options.language ?? 'chi_sim')) ?? { text: UNREADABLE_CELL, confidence: 0 };
      reads[i] = { text: digits.text, bbox: ink.box, confidence: Math.min(digits.confidence, 60), numeric: true, blank: false };
    }),
  );
}

/**
 * Ink nothing could read is marked as a number (`?`) so that a lost value is never taken for a blank. In a
 * row without any number read, with words after it, it is a header word instead: a `?` there would join
 * the values of the row below. (A label followed by one unreadable value keeps its `?`.)
 */
function unmarkUnreadableHeaders(grid: TableGrid, reads: CellRead[]): void {
  const rowsWithNumbers = new Set(grid.cells.filter((_, i) => reads[i].numeric && reads[i].text !== UNREADABLE_CELL).map((cell) => cell.row));
  const wordsAfter = (row: number, col: number): boolean => grid.cells.some((cell, i) => cell.row === row && cell.col > col && !reads[i].blank && !reads[i].numeric);
  grid.cells.forEach((cell, i) => {
    if (reads[i].text === UNREADABLE_CELL && !rowsWithNumbers.has(cell.row) && wordsAfter(cell.row, cell.col)) reads[i] = { ...reads[i], text: '', numeric: false };
  });
}

/**
 * Reads every cell of a ruled table (concurrently across the pool's workers) and returns its rows in
 * grid order; a cell spanning several rows is reported in the first.
 */
export async function readTableGrid(image: GreyImage, mask: Uint8Array, grid: TableGrid, pool: TesseractPool, options: CellReadOptions = {}): Promise<TableRowRead[]> {
  // Finding each cell's ink is synchronous pixel work: do it cell by cell, letting the event loop run
  // every ~20 ms, while the recognitions queue up on the pool's threads.
  const inks: Array<CellInk | null> = [];
  const pending: Array<Promise<CellRead>> = [];
  let slice = Date.now();
  for (const cell of grid.cells) {
    const ink = cellInk(image, mask, insetRect(cell.bbox, options.inset ?? 4), options.rulingThickness);
    inks.push(ink);
    pending.push(readCellInk(ink, cell.bbox, pool, options));
    if (Date.now() - slice > 20) {
      await pause();
      slice = Date.now();
    }
  }
  const reads = await Promise.all(pending);
  await rereadNumericColumns(grid, inks, reads, pool, options);
  unmarkUnreadableHeaders(grid, reads);
  const rows: TableRowRead[] = [];
  for (let r = 0; r < grid.rowLines.length - 1; r++) {
    const cells = grid.cells
      .map((cell, i) => ({ cell, read: reads[i] }))
      .filter(({ cell }) => cell.row === r)
      .sort((a, b) => a.cell.col - b.cell.col)
      .map(({ read }) => read);
    if (cells.length === 0) continue;
    rows.push({ row: r, bbox: [grid.bbox[0], Math.round(grid.rowLines[r]), grid.bbox[2], Math.round(grid.rowLines[r + 1])], cells });
  }
  return rows;
}

/**
 * Unruled tables: splits a PSM 6 line's words into cells wherever the horizontal gap is wider than
 * `gapFactor` × the line's median word height (CJK characters come out as separate words a narrow gap
 * apart, so ordinary text stays one cell).
 */
export function splitLineIntoCells(line: OcrLine, gapFactor = 1.5): OcrWord[][] {
  return splitAtGaps(
    line.words.filter((word) => word.text.trim() !== ''),
    (word) => word.bbox,
    gapFactor,
  );
}

export function unionBox(boxes: Rect[]): Rect {
  return [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])), Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))];
}

/**
 * Reads an unruled line as table cells when it has at least `minNumbers` numeric-looking cells: the
 * numeric cells are re-read as digit-whitelisted crops. Returns null for an ordinary text line.
 */
export async function readUnruledRow(image: GreyImage, mask: Uint8Array, line: OcrLine, pool: TesseractPool, options: CellReadOptions & { minNumbers?: number } = {}): Promise<CellRead[] | null> {
  const groups = splitLineIntoCells(line);
  const looksNumber = groups.map((g) => looksLikeNumber(tidyCjkSpacing(g.map((w) => w.text).join(' '))));
  if (groups.length < 2 || looksNumber.filter(Boolean).length < (options.minNumbers ?? 2)) return null;
  // A group between two numbers is a number misread too (a 0 read as 届).
  const numeric = looksNumber.map((number, i) => number || (i > 0 && i + 1 < groups.length && looksNumber[i - 1] && looksNumber[i + 1]));
  return Promise.all(
    groups.map(async (g, i): Promise<CellRead> => {
      const box = unionBox(g.map((w) => w.bbox));
      const text = tidyCjkSpacing(g.map((w) => w.text).join(' '));
      const confidence = g.reduce((s, w) => s + w.confidence, 0) / g.length;
      if (!numeric[i]) return { text, bbox: box, confidence, numeric: false, blank: false };
      const pad = 3;
      const read = await readCell(image, mask, [box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad], pool, { ...options, inset: 0 });
      if (read.numeric) return read;
      return { text: read.text === '' || !looksNumber[i] ? UNREADABLE_CELL : text, bbox: box, confidence: 0, numeric: true, blank: false };
    }),
  );
}

