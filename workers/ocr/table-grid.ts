/**
 * Tables from geometry. Whole-page OCR reads tables badly (borders glued to digits as `|`, adjacent cells
 * merged), so tables are rebuilt from the image: ruling lines give the cell grid, and each cell is read
 * as its own crop — numbers with a digits-only whitelist — keeping its box and confidence.
 *
 * Ruled tables: long dark runs on the binary image are rulings; ../geometry/grid.ts builds the cell grid
 * from them.
 * Unruled tables: the words of a PSM 6 reading are split into cells at wide horizontal gaps.
 */
import { type Ruling, type Rulings, type TableGrid } from '../geometry/grid';
import { splitAtGaps } from '../geometry/layout';
import type { GreyImage, Rect } from './image';
import { cropImage } from './image';

import type { OcrLanguage, OcrLine, OcrWord, PageSegMode, TesseractPool } from './tesseract-pool';

export interface RulingOptions {
  /** Shortest run that counts as a ruling (pixels); default scales with the page. */
  minLength?: number;
  /** Gaps in a scanned line up to this many pixels are bridged. */
  maxGap?: number;
  /** Thicker dark bands are filled areas or pictures, not rulings. */
  maxThickness?: number;
}

interface Segment {
  from: number;
  to: number;
}

/**
 * Runs of ink along every row (horizontal) or every column (vertical), bridging gaps up to maxGap, no
 * shorter than minLength and nearly solid (a ruling is; a chain of character strokes bridged across
 * their gaps is not). Both directions scan the mask row by row, which keeps memory access sequential.
 */
function scanRuns(mask: Uint8Array, width: number, height: number, vertical: boolean, minLength: number, maxGap: number, minFill = 0.9): Segment[][] {
  const lines = vertical ? width : height;
  const out: Segment[][] = Array.from({ length: lines }, () => []);
  const start = new Int32Array(lines).fill(-1);
  const lastInk = new Int32Array(lines).fill(-1);
  const ink = new Int32Array(lines);
  const close = (line: number): void => {
    const runLength = lastInk[line] - start[line] + 1;
    if (runLength >= minLength && ink[line] >= minFill * runLength) out[line].push({ from: start[line], to: lastInk[line] + 1 });
  };
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (mask[row + x] === 0) continue;
      const line = vertical ? x : y;
      const at = vertical ? y : x;
      if (start[line] < 0 || at - lastInk[line] - 1 > maxGap) {
        if (start[line] >= 0) close(line);
        start[line] = at;
        ink[line] = 0;
      }
      ink[line]++;
      lastInk[line] = at;
    }
  }
  for (let line = 0; line < lines; line++) if (start[line] >= 0) close(line);
  return out;
}

interface OpenRuling {
  first: number;
  last: number;
  from: number;
  to: number;
  /** Sum of positions, for the centre. */
  sum: number;
  count: number;
}

/** Joins runs on neighbouring scan lines that overlap into rulings with a thickness. */
function joinRuns(runsPerLine: Segment[][], maxThickness: number): Ruling[] {
  const done: Ruling[] = [];
  let open: OpenRuling[] = [];
  const close = (r: OpenRuling): void => {
    const thickness = r.last - r.first + 1;
    if (thickness <= maxThickness) done.push({ pos: r.sum / r.count, from: r.from, to: r.to, thickness });
  };
  for (let line = 0; line < runsPerLine.length; line++) {
    const next: OpenRuling[] = [];
    const used = new Set<OpenRuling>();
    for (const run of runsPerLine[line]) {
      const length = run.to - run.from;
      const match = open.find((r) => !used.has(r) && Math.min(r.to, run.to) - Math.max(r.from, run.from) > 0.5 * Math.min(length, r.to - r.from));
      if (match) {
        used.add(match);
        match.last = line;
        match.from = Math.min(match.from, run.from);
        match.to = Math.max(match.to, run.to);
        match.sum += line;
        match.count++;
        next.push(match);
      } else {
        next.push({ first: line, last: line, from: run.from, to: run.to, sum: line, count: 1 });
      }
    }
    // A ruling continues across one missing scan line (broken scans); older ones are finished.
    for (const r of open) {
      if (used.has(r)) continue;
      if (line - r.last <= 1) next.push(r);
      else close(r);
    }
    open = next;
  }
  for (const r of open) close(r);
  return done;
}

/** Merges rulings at nearly the same position whose extents overlap or touch (a line broken by a scan). */
function mergeCollinear(rulings: Ruling[], tolerance: number, gap: number): Ruling[] {
  const sorted = [...rulings].sort((a, b) => a.pos - b.pos || a.from - b.from);
  const out: Ruling[] = [];
  for (const r of sorted) {
    const match = out.find((o) => Math.abs(o.pos - r.pos) <= tolerance && r.from <= o.to + gap && r.to >= o.from - gap);
    if (match) {
      const total = match.to - match.from + (r.to - r.from);
      match.pos = (match.pos * (match.to - match.from) + r.pos * (r.to - r.from)) / total;
      match.from = Math.min(match.from, r.from);
      match.to = Math.max(match.to, r.to);
      match.thickness = Math.max(match.thickness, r.thickness);
    } else {
      out.push({ ...r });
    }
  }
  return out;
}

/** Finds horizontal and vertical ruling lines on a binary mask (1 = ink). */
export function findRulings(mask: Uint8Array, width: number, height: number, options: RulingOptions = {}): Rulings {
  const minLength = options.minLength ?? Math.max(60, Math.round(Math.min(width, height) * 0.035));
  const maxGap = options.maxGap ?? 3;
  const maxThickness = options.maxThickness ?? Math.max(6, Math.round(Math.min(width, height) / 250));
  const rows = scanRuns(mask, width, height, false, minLength, maxGap);
  const columns = scanRuns(mask, width, height, true, minLength, maxGap);
  return {
    horizontal: mergeCollinear(joinRuns(rows, maxThickness), maxThickness, 3 * maxGap + 4),
    vertical: mergeCollinear(joinRuns(columns, maxThickness), maxThickness, 3 * maxGap + 4),
  };
}

/** Characters of a cell that holds a number or a placeholder. */
export const DIGIT_WHITELIST = '0123456789.-/';
/** A first reading that looks like a number (tesseract's usual confusions included) gets a digits-only second read. */
const NUMERIC_LOOKING = /^[\s0-9.,\-—–/|oOlIUDQSBZ]+$/;
const HAS_DIGIT = /[0-9oOlIUDQSBZ]/;

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

/** Joins the lines of a multi-line reading; a number wrapped in a narrow cell ("823" / "3") joins without a space. */
function joinReading(lines: OcrLine[], numeric: boolean): string {
  const parts = lines.map((line) => tidyCjkSpacing(line.text)).filter((t) => t !== '');
  return numeric ? parts.join('') : tidyCjkSpacing(parts.join(' '));
}

export interface CellReadOptions {
  language?: OcrLanguage;
  /** Pixels trimmed inside the rulings before looking for ink. */
  inset?: number;
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

/** One crop per text line of the cell (tesseract misreads a wrapped label read as one block). */
function lineCrops(ink: CellInk): GreyImage[] {
  if (ink.bands.length <= 1) return [ink.crop];
  const margin = 10;
  return ink.bands.map(([from, to]) => cropImage(ink.crop, [0, Math.max(0, from - margin), ink.crop.width, Math.min(ink.crop.height, to + margin)]));
}

async function readText(ink: CellInk, pool: TesseractPool, language: OcrLanguage | undefined): Promise<{ text: string; confidence: number }> {
  const results = await Promise.all(lineCrops(ink).map((crop) => pool.recognize(crop, { language, psm: '7' })));
  const text = tidyCjkSpacing(results.map((r) => joinReading(r.lines, false)).join(' '));
  return { text, confidence: results.reduce((sum, r) => sum + r.confidence, 0) / results.length };
}

/**
 * The ink of a cell without scanner specks and ruling remnants: connected components smaller than
 * `minArea` or shaped like a piece of border (long and thin along an edge) are dropped. Null when the
 * cell is blank.
 */
export function cellInk(image: GreyImage, mask: Uint8Array, rect: Rect, pad = 12): CellInk | null {
  const [x0, y0, x1, y1] = rect;
  const w = x1 - x0;
  const h = y1 - y0;
  if (w < 4 || h < 4) return null;
  const labels = new Int32Array(w * h).fill(-1);
  const keep: boolean[] = [];
  const small: boolean[] = [];
  const boxes: Array<[number, number, number, number]> = [];
  const areas: number[] = [];
  const border: boolean[] = [];
  let tallest = 0;
  const stack: number[] = [];
  let next = 0;
  for (let i = 0; i < w * h; i++) {
    if (labels[i] !== -1 || mask[(y0 + Math.floor(i / w)) * image.width + x0 + (i % w)] === 0) continue;
    const label = next++;
    let area = 0;
    let bx0 = w;
    let by0 = h;
    let bx1 = 0;
    let by1 = 0;
    labels[i] = label;
    stack.push(i);
    while (stack.length > 0) {
      const j = stack.pop()!;
      const x = j % w;
      const y = (j - x) / w;
      area++;
      if (x < bx0) bx0 = x;
      if (x > bx1) bx1 = x;
      if (y < by0) by0 = y;
      if (y > by1) by1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          const k = ny * w + nx;
          if (labels[k] !== -1 || mask[(y0 + ny) * image.width + x0 + nx] === 0) continue;
          labels[k] = label;
          stack.push(k);
        }
      }
    }
    const cw = bx1 - bx0 + 1;
    const ch = by1 - by0 + 1;
    const thin = Math.max(3, Math.round(h * 0.08));
    const touchesEdge = bx0 === 0 || by0 === 0 || bx1 === w - 1 || by1 === h - 1;
    const borderPiece = touchesEdge && ((cw >= 0.5 * w && ch <= thin) || (ch >= 0.5 * h && cw <= thin));
    boxes[label] = [bx0, by0, bx1, by1];
    areas[label] = area;
    border[label] = borderPiece;
    if (!borderPiece && Math.max(cw, ch) >= Math.max(5, Math.round((image.dpi ?? 200) * 0.025)) && ch > tallest) tallest = ch;
  }
  // Specks are judged against the text's scale (its tallest piece), not the cell's, which may span rows;
  // and whatever the scale, a piece under about 0.6 mm both ways is dust, not a stroke (a dash is long).
  const dust = Math.max(5, Math.round((image.dpi ?? 200) * 0.025));
  const minArea = Math.max(4, Math.round((0.12 * tallest) ** 2));
  for (let label = 0; label < next; label++) {
    const [cx0, cy0, cx1, cy1] = boxes[label];
    const isDust = Math.max(cx1 - cx0 + 1, cy1 - cy0 + 1) < dust;
    keep[label] = !border[label] && !isDust && areas[label] >= minArea;
    small[label] = !border[label] && !keep[label];
  }
  // Small pieces next to real strokes are parts of characters (dots, short strokes); isolated ones are specks.
  const big = boxes.filter((_, label) => keep[label]);
  const reach = Math.max(3, Math.round(0.25 * tallest));
  for (let label = 0; label < next; label++) {
    if (!small[label]) continue;
    const [sx0, sy0, sx1, sy1] = boxes[label];
    keep[label] = big.some((b) => sx0 <= b[2] + reach && sx1 >= b[0] - reach && sy0 <= b[3] + reach && sy1 >= b[1] - reach);
  }
  let bx0 = w;
  let by0 = h;
  let bx1 = -1;
  let by1 = -1;
  for (let i = 0; i < w * h; i++) {
    if (labels[i] < 0 || !keep[labels[i]]) continue;
    const x = i % w;
    const y = (i - x) / w;
    if (x < bx0) bx0 = x;
    if (x > bx1) bx1 = x;
    if (y < by0) by0 = y;
    if (y > by1) by1 = y;
  }
  if (bx1 < 0) return null;
  const cropW = bx1 - bx0 + 1 + 2 * pad;
  const cropH = by1 - by0 + 1 + 2 * pad;
  const data = new Uint8Array(cropW * cropH).fill(255);
  // Text lines: runs of rows holding kept ink, split by gaps of 3+ empty rows.
  const bands: Array<[number, number]> = [];
  let gap = 3;
  for (let y = by0; y <= by1; y++) {
    let rowInk = false;
    for (let x = bx0; x <= bx1; x++) {
      const l = labels[y * w + x];
      if (l >= 0 && keep[l]) {
        rowInk = true;
        data[(y - by0 + pad) * cropW + (x - bx0 + pad)] = image.data[(y0 + y) * image.width + x0 + x];
      }
    }
    if (rowInk) {
      const cy = y - by0 + pad;
      if (gap >= 3 || bands.length === 0) bands.push([cy, cy + 1]);
      else bands[bands.length - 1][1] = cy + 1;
      gap = 0;
    } else gap++;
  }
  // A sliver (an underline, a stray mark) is not a line of its own: merge bands much shorter than the tallest.
  const tallestBand = Math.max(...bands.map(([a, b]) => b - a));
  const merged: Array<[number, number]> = [];
  for (const band of bands) {
    const last = merged[merged.length - 1];
    if (last && (band[1] - band[0] < 0.4 * tallestBand || last[1] - last[0] < 0.4 * tallestBand)) last[1] = band[1];
    else merged.push([band[0], band[1]]);
  }
  return {
    box: [x0 + bx0, y0 + by0, x0 + bx1 + 1, y0 + by1 + 1],
    crop: { width: cropW, height: cropH, data, dpi: image.dpi },
    lines: merged.length,
    bands: merged,
  };
}

/** A digits-only reading of a cell's ink, line by line (a number wrapped in a narrow cell joins up again). */
async function readDigits(ink: CellInk, pool: TesseractPool, language: OcrLanguage | undefined): Promise<CellRead | null> {
  const parts = await Promise.all(lineCrops(ink).map((crop) => readDigitLine(crop, pool, language)));
  if (parts.some((part) => part === null)) return null;
  const read = parts as Array<{ text: string; confidence: number }>;
  return { text: read.map((p) => p.text).join(''), bbox: ink.box, confidence: Math.min(...read.map((p) => p.confidence)), numeric: true, blank: false };
}

async function readDigitLine(crop: GreyImage, pool: TesseractPool, language: OcrLanguage | undefined): Promise<{ text: string; confidence: number } | null> {
  const read = async (psm: PageSegMode): Promise<{ text: string; confidence: number } | null> => {
    const digits = await pool.recognize(crop, { language, psm, whitelist: DIGIT_WHITELIST });
    // A number neither starts nor ends with a point: those are specks.
    const text = joinReading(digits.lines, true).replace(/\s+/g, '').replace(/^\.+|\.+$/g, '');
    return text === '' ? null : { text, confidence: digits.confidence };
  };
  // Block mode reads lone digits that line mode sometimes drops; unsure readings get a second opinion.
  const block = await read('6');
  if (block !== null && block.confidence >= 75) return block;
  const candidates = [block, await read('8'), await read('7')].filter((c): c is { text: string; confidence: number } => c !== null);
  return candidates.sort((a, b) => b.confidence - a.confidence)[0] ?? null;
}

/** Common confusions of a general reading of a number. */
function foldDigitLookalikes(text: string): string {
  return text
    .replace(/[oOUDQ]/g, '0')
    .replace(/[lI|]/g, '1')
    .replace(/S/g, '5')
    .replace(/B/g, '8')
    .replace(/Z/g, '2')
    .replace(/[,，]/g, '')
    .replace(/\s+/g, '');
}

/**
 * Reads one cell: a first general reading, then, when it looks numeric, a digits-only reading as a
 * single line (or a block when the number wraps).
 */
export async function readCell(image: GreyImage, mask: Uint8Array, rect: Rect, pool: TesseractPool, options: CellReadOptions = {}): Promise<CellRead> {
  return readCellInk(cellInk(image, mask, insetRect(rect, options.inset ?? 4)), rect, pool, options);
}

function insetRect(rect: Rect, inset: number): Rect {
  return [rect[0] + inset, rect[1] + inset, rect[2] - inset, rect[3] - inset];
}

async function readCellInk(ink: CellInk | null, rect: Rect, pool: TesseractPool, options: CellReadOptions): Promise<CellRead> {
  if (ink === null) return { text: '', bbox: rect, confidence: 100, numeric: false, blank: true };
  const first = await readText(ink, pool, options.language);
  const firstText = first.text;
  if (firstText === '' || (NUMERIC_LOOKING.test(firstText) && HAS_DIGIT.test(firstText)) || /^[-—–/]$/.test(firstText)) {
    const digits = await readDigits(ink, pool, options.language);
    if (digits) return digits;
    const folded = foldDigitLookalikes(firstText);
    if (/^[0-9./-]+$/.test(folded)) return { text: folded, bbox: ink.box, confidence: Math.min(first.confidence, 60), numeric: true, blank: false };
  }
  return { text: firstText, bbox: ink.box, confidence: first.confidence, numeric: false, blank: firstText === '' };
}

/** Resolves after pending I/O and timers have had a turn. */
const pause = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A cell in a column of numbers, on a row of numbers, is a number even when its first reading was not
 * (noise turns a "3" into a character): read it again digits-only.
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
  await Promise.all(
    grid.cells.map(async (cell, i) => {
      const read = reads[i];
      const column = perColumn.get(cell.col);
      if (read.blank || read.numeric || cell.colSpan > 1 || !column) return;
      if (column.numeric < 2 * column.text || (numbersInRow.get(cell.row) ?? 0) < 2) return;
      const ink = inks[i];
      const digits = ink && (await readDigits(ink, pool, options.language));
      if (digits) reads[i] = { ...digits, confidence: Math.min(digits.confidence, 60) };
    }),
  );
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
    const ink = cellInk(image, mask, insetRect(cell.bbox, options.inset ?? 4));
    inks.push(ink);
    pending.push(readCellInk(ink, cell.bbox, pool, options));
    if (Date.now() - slice > 20) {
      await pause();
      slice = Date.now();
    }
  }
  const reads = await Promise.all(pending);
  await rereadNumericColumns(grid, inks, reads, pool, options);
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
  const numericGroups = groups.filter((g) => {
    const text = tidyCjkSpacing(g.map((w) => w.text).join(' '));
    return NUMERIC_LOOKING.test(text) && HAS_DIGIT.test(text);
  });
  if (groups.length < 2 || numericGroups.length < (options.minNumbers ?? 2)) return null;
  return Promise.all(
    groups.map(async (g): Promise<CellRead> => {
      const box = unionBox(g.map((w) => w.bbox));
      const text = tidyCjkSpacing(g.map((w) => w.text).join(' '));
      const confidence = g.reduce((s, w) => s + w.confidence, 0) / g.length;
      if (!numericGroups.includes(g)) return { text, bbox: box, confidence, numeric: false, blank: false };
      const pad = 3;
      const read = await readCell(image, mask, [box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad], pool, { ...options, inset: 0 });
      return read.text === '' ? { text, bbox: box, confidence, numeric: true, blank: false } : { ...read, numeric: true };
    }),
  );
}

/** Paints rulings white, so a text reading of the area is not disturbed by table borders. */
export function eraseRulings(image: GreyImage, rulings: Rulings, margin = 2): GreyImage {
  const data = new Uint8Array(image.data);
  const { width, height } = image;
  for (const r of rulings.horizontal) {
    const half = Math.ceil(r.thickness / 2) + margin;
    for (let y = Math.max(0, Math.round(r.pos) - half); y <= Math.min(height - 1, Math.round(r.pos) + half); y++) {
      data.fill(255, y * width + Math.max(0, r.from - margin), y * width + Math.min(width, r.to + margin));
    }
  }
  for (const r of rulings.vertical) {
    const half = Math.ceil(r.thickness / 2) + margin;
    const x0 = Math.max(0, Math.round(r.pos) - half);
    const x1 = Math.min(width - 1, Math.round(r.pos) + half);
    for (let y = Math.max(0, r.from - margin); y < Math.min(height, r.to + margin); y++) data.fill(255, y * width + x0, y * width + x1 + 1);
  }
  return { ...image, data };
}
