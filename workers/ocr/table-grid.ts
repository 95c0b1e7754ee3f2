/**
 * Tables from geometry. Whole-page OCR reads tables badly (borders glued to digits as `|`, adjacent cells
 * merged), so tables are rebuilt from the image: ruling lines give the cell grid, and each cell is read
 * as its own crop — numbers with a digits-only whitelist — keeping its box and confidence.
 *
 * Ruled tables: long dark runs on the binary image are rulings; rulings that cross form a table; the
 * cell grid comes from their positions, with cells merged wherever a ruling between them is missing.
 * Unruled tables: the words of a PSM 6 reading are split into cells at wide horizontal gaps.
 */
import type { GreyImage, Rect } from './image';
import { cropImage, inkBox } from './image';
import type { OcrLanguage, OcrLine, OcrWord, TesseractPool } from './tesseract-pool';

export interface Ruling {
  /** y of a horizontal ruling, x of a vertical one (centre of its thickness). */
  pos: number;
  /** Extent along the line. */
  from: number;
  to: number;
  thickness: number;
}

export interface Rulings {
  horizontal: Ruling[];
  vertical: Ruling[];
}

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

/** One cell of a rebuilt table: its box (inside the rulings) and the grid rows/columns it spans. */
export interface GridCell {
  bbox: Rect;
  row: number;
  col: number;
  rowSpan: number;
  colSpan: number;
}

export interface TableGrid {
  bbox: Rect;
  /** Row boundaries (y) and column boundaries (x), outer rulings included. */
  rowLines: number[];
  colLines: number[];
  cells: GridCell[];
}

function clusterPositions(values: number[], tolerance: number): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const groups: number[][] = [];
  for (const v of sorted) {
    const last = groups[groups.length - 1];
    if (last && v - last[last.length - 1] <= tolerance) last.push(v);
    else groups.push([v]);
  }
  return groups.map((g) => g.reduce((s, v) => s + v, 0) / g.length);
}

/** Groups crossing rulings into tables and derives each table's cell grid. */
export function buildTableGrids(rulings: Rulings, options: { tolerance?: number } = {}): TableGrid[] {
  const tol = options.tolerance ?? 8;
  const h = rulings.horizontal;
  const v = rulings.vertical;
  // Union-find over all rulings; crossing (or touching) rulings belong to one table.
  const parent = Array.from({ length: h.length + v.length }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const crosses = (hr: Ruling, vr: Ruling): boolean => vr.pos >= hr.from - tol && vr.pos <= hr.to + tol && hr.pos >= vr.from - tol && hr.pos <= vr.to + tol;
  for (let i = 0; i < h.length; i++) {
    for (let j = 0; j < v.length; j++) {
      if (crosses(h[i], v[j])) parent[find(i)] = find(h.length + j);
    }
  }
  const groups = new Map<number, { h: Ruling[]; v: Ruling[] }>();
  h.forEach((r, i) => {
    const g = groups.get(find(i)) ?? { h: [], v: [] };
    g.h.push(r);
    groups.set(find(i), g);
  });
  v.forEach((r, j) => {
    const g = groups.get(find(h.length + j)) ?? { h: [], v: [] };
    g.v.push(r);
    groups.set(find(h.length + j), g);
  });
  const grids: TableGrid[] = [];
  for (const group of groups.values()) {
    if (group.h.length < 2 || group.v.length < 2) continue;
    // A row boundary spans at least one cell wall to wall, and so does a column boundary; strokes of
    // text that passed for rulings do not. Drop those until the grid is stable.
    let rowLines = clusterPositions(group.h.map((r) => r.pos), tol);
    let colLines = clusterPositions(group.v.map((r) => r.pos), tol);
    for (let pass = 0; pass < 3; pass++) {
      const spansCell = (r: Ruling, lines: number[]): boolean =>
        lines.some((at, i) => i + 1 < lines.length && r.from <= at + tol && r.to >= lines[i + 1] - tol);
      const keptH = group.h.filter((r) => spansCell(r, colLines));
      const keptV = group.v.filter((r) => spansCell(r, rowLines));
      if (keptH.length === group.h.length && keptV.length === group.v.length) break;
      group.h = keptH;
      group.v = keptV;
      rowLines = clusterPositions(group.h.map((r) => r.pos), tol);
      colLines = clusterPositions(group.v.map((r) => r.pos), tol);
    }
    if (rowLines.length < 2 || colLines.length < 2) continue;
    const nRows = rowLines.length - 1;
    const nCols = colLines.length - 1;
    // Is the boundary between column c-1 and c present in row r? (a vertical ruling covers the row's middle)
    const vBoundary = (r: number, c: number): boolean => {
      const mid = (rowLines[r] + rowLines[r + 1]) / 2;
      return group.v.some((ru) => Math.abs(ru.pos - colLines[c]) <= tol && ru.from <= mid && ru.to >= mid);
    };
    const hBoundary = (r: number, c: number): boolean => {
      const mid = (colLines[c] + colLines[c + 1]) / 2;
      return group.h.some((ru) => Math.abs(ru.pos - rowLines[r]) <= tol && ru.from <= mid && ru.to >= mid);
    };
    const cellParent = Array.from({ length: nRows * nCols }, (_, i) => i);
    const findCell = (i: number): number => (cellParent[i] === i ? i : (cellParent[i] = findCell(cellParent[i])));
    for (let r = 0; r < nRows; r++) {
      for (let c = 0; c < nCols; c++) {
        if (c > 0 && !vBoundary(r, c)) cellParent[findCell(r * nCols + c)] = findCell(r * nCols + c - 1);
        if (r > 0 && !hBoundary(r, c)) cellParent[findCell(r * nCols + c)] = findCell((r - 1) * nCols + c);
      }
    }
    const spans = new Map<number, { r0: number; r1: number; c0: number; c1: number }>();
    for (let r = 0; r < nRows; r++) {
      for (let c = 0; c < nCols; c++) {
        const root = findCell(r * nCols + c);
        const s = spans.get(root);
        if (!s) spans.set(root, { r0: r, r1: r, c0: c, c1: c });
        else {
          s.r0 = Math.min(s.r0, r);
          s.r1 = Math.max(s.r1, r);
          s.c0 = Math.min(s.c0, c);
          s.c1 = Math.max(s.c1, c);
        }
      }
    }
    const cells: GridCell[] = [...spans.values()]
      .map((s) => ({
        bbox: [Math.round(colLines[s.c0]), Math.round(rowLines[s.r0]), Math.round(colLines[s.c1 + 1]), Math.round(rowLines[s.r1 + 1])] as Rect,
        row: s.r0,
        col: s.c0,
        rowSpan: s.r1 - s.r0 + 1,
        colSpan: s.c1 - s.c0 + 1,
      }))
      .sort((a, b) => a.row - b.row || a.col - b.col);
    grids.push({
      bbox: [Math.round(colLines[0]), Math.round(rowLines[0]), Math.round(colLines[nCols]), Math.round(rowLines[nRows])],
      rowLines,
      colLines,
      cells,
    });
  }
  return grids.sort((a, b) => a.bbox[1] - b.bbox[1]);
}

/** Characters of a cell that holds a number or a placeholder. */
export const DIGIT_WHITELIST = '0123456789.-/';
/** A first reading that looks like a number (tesseract's usual confusions included) gets a digits-only second read. */
const NUMERIC_LOOKING = /^[\s0-9.,\-—–/|oOlI]+$/;
const HAS_DIGIT = /[0-9oOlI]/;

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

function countTextLines(mask: Uint8Array, width: number, box: Rect): number {
  const [x0, y0, x1, y1] = box;
  let lines = 0;
  let inLine = false;
  let gap = 0;
  for (let y = y0; y < y1; y++) {
    let ink = 0;
    for (let x = x0; x < x1; x++) ink += mask[y * width + x];
    if (ink > 0) {
      if (!inLine) lines++;
      inLine = true;
      gap = 0;
    } else if (++gap >= 3) inLine = false;
  }
  return lines;
}

/**
 * Reads one cell crop: a first general reading, then, when it looks numeric, a digits-only reading as a
 * single line (or a block when the number wraps).
 */
export async function readCell(image: GreyImage, mask: Uint8Array, rect: Rect, pool: TesseractPool, options: CellReadOptions = {}): Promise<CellRead> {
  const inset = options.inset ?? 4;
  const inner: Rect = [rect[0] + inset, rect[1] + inset, rect[2] - inset, rect[3] - inset];
  if (inner[2] - inner[0] < 4 || inner[3] - inner[1] < 4) return { text: '', bbox: rect, confidence: 100, numeric: false, blank: true };
  const ink = inkBox(mask, image.width, inner, 8);
  if (ink === null) return { text: '', bbox: rect, confidence: 100, numeric: false, blank: true };
  const crop = cropImage(image, ink.box, 12);
  const multiline = countTextLines(mask, image.width, ink.box) > 1;
  const first = await pool.recognize(crop, { language: options.language, psm: multiline ? '6' : '7' });
  const firstText = joinReading(first.lines, false);
  if (firstText === '' || (NUMERIC_LOOKING.test(firstText) && HAS_DIGIT.test(firstText)) || /^[-—–/]$/.test(firstText)) {
    const digits = await pool.recognize(crop, { language: options.language, psm: multiline ? '6' : '7', whitelist: DIGIT_WHITELIST });
    const digitText = joinReading(digits.lines, true).replace(/\s+/g, '');
    if (digitText !== '') return { text: digitText, bbox: ink.box, confidence: digits.confidence, numeric: true, blank: false };
  }
  return { text: firstText, bbox: ink.box, confidence: first.confidence, numeric: false, blank: firstText === '' };
}

/**
 * Reads every cell of a ruled table (concurrently across the pool's workers) and returns its rows in
 * grid order; a cell spanning several rows is reported in the first.
 */
export async function readTableGrid(image: GreyImage, mask: Uint8Array, grid: TableGrid, pool: TesseractPool, options: CellReadOptions = {}): Promise<TableRowRead[]> {
  const reads = await Promise.all(grid.cells.map((cell) => readCell(image, mask, cell.bbox, pool, options)));
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
  const words = line.words.filter((w) => w.text.trim() !== '').sort((a, b) => a.bbox[0] - b.bbox[0]);
  if (words.length === 0) return [];
  const heights = words.map((w) => w.bbox[3] - w.bbox[1]).sort((a, b) => a - b);
  const median = heights[Math.floor(heights.length / 2)];
  const cells: OcrWord[][] = [[words[0]]];
  for (let i = 1; i < words.length; i++) {
    const gap = words[i].bbox[0] - words[i - 1].bbox[2];
    if (gap > gapFactor * median) cells.push([words[i]]);
    else cells[cells.length - 1].push(words[i]);
  }
  return cells;
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
