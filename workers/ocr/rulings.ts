/**
 * Table rulings on a scanned page. Whole-page OCR reads tables badly (borders glued to digits as `|`,
 * adjacent cells merged), so tables are rebuilt from the image: long dark runs on the binary image are
 * rulings, ../geometry/grid.ts builds the cell grid from them (the same grid reader text layouts use),
 * and ./cell-reader.ts reads each cell.
 */
import type { Ruling, Rulings } from '../geometry/grid';
import type { GreyImage } from './image';

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
      // Runs of one ruling cover nearly the same stretch on neighbouring lines. Measured against the longer of the
      // two, so a rule running through a shaded header is not swallowed by the shading's short runs (which make
      // a band too thick to be a ruling, and would take the rule down with it).
      const match = open.find((r) => !used.has(r) && Math.min(r.to, run.to) - Math.max(r.from, run.from) > 0.5 * Math.max(length, r.to - r.from));
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

/**
 * Whether a ruling has ink on both sides along most of its length: a slice of a shaded or filled area (a grey
 * header thresholded to ink), not a rule. A rule has paper beside it wherever it leaves the shading.
 */
function insideFilledArea(mask: Uint8Array, width: number, height: number, ruling: Ruling, vertical: boolean): boolean {
  const reach = Math.ceil(ruling.thickness / 2) + 2;
  const before = Math.round(ruling.pos) - reach;
  const after = Math.round(ruling.pos) + reach;
  if (before < 0 || after >= (vertical ? width : height)) return false;
  let inked = 0;
  for (let at = ruling.from; at < ruling.to; at++) {
    const sides = vertical ? mask[at * width + before] + mask[at * width + after] : mask[before * width + at] + mask[after * width + at];
    if (sides === 2) inked++;
  }
  return inked > 0.5 * (ruling.to - ruling.from);
}

/** Finds horizontal and vertical ruling lines on a binary mask (1 = ink). */
export function findRulings(mask: Uint8Array, width: number, height: number, options: RulingOptions = {}): Rulings {
  const minLength = options.minLength ?? Math.max(60, Math.round(Math.min(width, height) * 0.035));
  const maxGap = options.maxGap ?? 3;
  const maxThickness = options.maxThickness ?? Math.max(6, Math.round(Math.min(width, height) / 250));
  const rows = scanRuns(mask, width, height, false, minLength, maxGap);
  // A table row alone (the last row of a table carried over to the next page) has column rules only a row tall.
  // One scan finds every column run that short; the runs long enough for a ruling are joined apart from the rest,
  // so that strokes of text never join the table's longer rules.
  const allColumns = scanRuns(mask, width, height, true, Math.max(24, Math.round(minLength * 0.4)), maxGap);
  const columns = allColumns.map((runs) => runs.filter((run) => run.to - run.from >= minLength));
  const rulings = (runs: Segment[][], vertical: boolean): Ruling[] =>
    mergeCollinear(
      joinRuns(runs, maxThickness).filter((ruling) => !insideFilledArea(mask, width, height, ruling, vertical)),
      maxThickness,
      3 * maxGap + 4,
    );
  const horizontal = rulings(rows, false);
  return { horizontal, vertical: [...rulings(columns, true), ...rowTallColumns(rulings(allColumns, true), horizontal, minLength, maxThickness + maxGap)] };
}

/** Column rules a lone table row needs: its two edges and three inside. */
const MIN_LONE_ROW_COLUMNS = 5;

/**
 * Column rules shorter than `minLength` that run from one row ruling to the next, where a row holds at least three
 * of them between its two outer edges: a row of a table on its own. A stroke of text in a merged title cell can
 * reach both rulings, and so can the cell's own edges when they were drawn row by row; three inner ones seldom do.
 */
function rowTallColumns(vertical: Ruling[], horizontal: Ruling[], minLength: number, reach: number): Ruling[] {
  const rowAt = (at: number, x: number): number => horizontal.findIndex((row) => Math.abs(row.pos - at) <= reach && x >= row.from - reach && x <= row.to + reach);
  const byRow = new Map<string, Ruling[]>();
  for (const column of vertical) {
    if (column.to - column.from >= minLength) continue;
    const top = rowAt(column.from, column.pos);
    const bottom = rowAt(column.to, column.pos);
    if (top < 0 || bottom < 0 || top === bottom) continue;
    const key = `${top} ${bottom}`;
    byRow.set(key, [...(byRow.get(key) ?? []), column]);
  }
  return [...byRow.values()].filter((columns) => columns.length >= MIN_LONE_ROW_COLUMNS).flat();
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
