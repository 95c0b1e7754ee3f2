/**
 * Prose set in two columns. Read as one block, tesseract joins the two columns' lines side by side
 * ("本年度报告根据《中华人民。导，全面贯彻…"), so a section heading in one column is split or prefixed by
 * the other's text and its table cannot be placed. A stretch of rows whose middle keeps a blank gutter,
 * with text on both sides that fills its column (no second gutter, as an unruled table would have), is
 * read as two pieces: the left column, then the right.
 */
import type { Rect } from './image';
import { dustSize, openSpans } from './image';

/** A stretch of the page read as one piece: rows [from, to) and columns [left, right). */
export interface ProsePiece {
  from: number;
  to: number;
  left: number;
  right: number;
  /** The page rows of the two-column stretch this piece is a column of (reading order is kept inside it). */
  columnsOf?: { from: number; to: number };
}

/** A two-column stretch is at least this tall (several lines): a paragraph's short last line beside blank paper is not a column. */
const MIN_COLUMN_INCHES = 0.9;
/** The gutter lies in this middle share of the text's width. */
const GUTTER_ZONE: [number, number] = [0.3, 0.7];
/** Both columns hold ink on at least this share of the stretch's rows. */
const MIN_COLUMN_FILL = 0.4;
/** A column of pixels inked on this share of a stretch's rows is under text. */
const MIN_TEXT_ROWS = 0.05;
/** Ink on this share of rows or less is a stray mark, not text. */
const STRAY_ROWS = 0.003;

interface RowInk {
  /** Runs of ink in the row as [from, to) pairs, flat: from0, to0, from1, to1… (a thin stroke's run is as narrow as a speck's, so none is dropped here). */
  runs: number[];
}

/**
 * Splits a band of text (rows [from, to) of the page, ink outside `tables`) into the pieces it is read
 * as: full-width stretches stay whole, two-column stretches become their left and right columns.
 */
export function proseColumns(mask: Uint8Array, width: number, band: { from: number; to: number }, tables: Rect[], dpi: number): ProsePiece[] {
  if (band.to - band.from < dpi * MIN_COLUMN_INCHES) return [{ from: band.from, to: band.to, left: 0, right: width }];
  const rows = rowInk(mask, width, band, tables);
  return splitStretch(rows, band.from, band.from, band.to, width, dpi);
}

function splitStretch(rows: RowInk[], bandFrom: number, from: number, to: number, width: number, dpi: number): ProsePiece[] {
  const whole: ProsePiece = { from, to, left: 0, right: width };
  const found = twoColumnStretch(rows, bandFrom, from, to, dpi);
  if (found === null) return [whole];
  const columnsOf = { from: found.from, to: found.to };
  return [
    ...(found.from > from ? splitStretch(rows, bandFrom, from, found.from, width, dpi) : []),
    { ...columnsOf, left: 0, right: found.gutter, columnsOf },
    { ...columnsOf, left: found.gutter, right: width, columnsOf },
    ...(found.to < to ? splitStretch(rows, bandFrom, found.to, to, width, dpi) : []),
  ];
}

/** Each row's runs of ink outside the tables. */
function rowInk(mask: Uint8Array, width: number, band: { from: number; to: number }, tables: Rect[]): RowInk[] {
  const rows: RowInk[] = [];
  for (let y = band.from; y < band.to; y++) {
    const line = y * width;
    const runs: number[] = [];
    for (const [open, close] of openSpans(y, width, tables)) {
      let start = -1;
      let x = open;
      for (; x < close; x++) {
        if (mask[line + x] !== 0) {
          if (start < 0) start = x;
        } else if (start >= 0) {
          runs.push(start, x);
          start = -1;
        }
      }
      if (start >= 0) runs.push(start, x);
    }
    rows.push({ runs });
  }
  return rows;
}

/**
 * The tallest stretch of rows in [from, to) that keeps one gutter blank near the middle of the text, when it
 * is tall enough for several lines and both sides hold text filling their width; null otherwise.
 */
function twoColumnStretch(rows: RowInk[], bandFrom: number, from: number, to: number, dpi: number): { from: number; to: number; gutter: number } | null {
  const stretch = rows.slice(from - bandFrom, to - bandFrom);
  const inked = stretch.filter((row) => row.runs.length > 0);
  if (inked.length === 0) return null;
  const textLeft = Math.min(...inked.map((row) => row.runs[0]));
  const textRight = Math.max(...inked.map((row) => row.runs[row.runs.length - 1]));
  const zoneFrom = Math.round(textLeft + GUTTER_ZONE[0] * (textRight - textLeft));
  const zoneTo = Math.round(textLeft + GUTTER_ZONE[1] * (textRight - textLeft));
  const minGutter = Math.max(4, Math.round(dpi * 0.08));
  const minRows = Math.round(dpi * MIN_COLUMN_INCHES);

  // A speck in the gutter (a few rows tall) does not end the stretch; a line of text, whose strokes block many rows, does.
  const maxBlocked = dustSize(dpi);
  // Inked pixels of each row before each column of the zone: a window's ink is one subtraction.
  const zoneWidth = zoneTo - zoneFrom;
  const inkBefore = new Uint16Array(stretch.length * (zoneWidth + 1));
  const inRow = new Uint8Array(zoneWidth);
  for (let i = 0; i < stretch.length; i++) {
    const runs = stretch[i].runs;
    inRow.fill(0);
    for (let r = 0; r < runs.length; r += 2) {
      if (runs[r + 1] > zoneFrom && runs[r] < zoneTo) inRow.fill(1, Math.max(runs[r], zoneFrom) - zoneFrom, Math.min(runs[r + 1], zoneTo) - zoneFrom);
    }
    const base = i * (zoneWidth + 1);
    for (let x = 0; x < zoneWidth; x++) inkBefore[base + x + 1] = inkBefore[base + x] + inRow[x];
  }
  // Every open stretch tall enough, at every gutter position; the tallest whose sides are columns of prose wins.
  const candidates: Array<{ from: number; to: number; gutter: number }> = [];
  const step = Math.max(1, Math.round(minGutter / 4));
  for (let x = zoneFrom; x + minGutter <= zoneTo; x += step) {
    const gutter = x + Math.round(minGutter / 2);
    let runFrom = -1;
    let lastOpen = -1;
    for (let i = 0; i <= stretch.length; i++) {
      const base = i * (zoneWidth + 1) + x - zoneFrom;
      const open = i < stretch.length && inkBefore[base + minGutter] === inkBefore[base];
      if (!open && i < stretch.length) continue;
      if (runFrom >= 0 && (!open || i - lastOpen - 1 > maxBlocked)) {
        if (lastOpen + 1 - runFrom >= minRows) candidates.push({ from: runFrom, to: lastOpen + 1, gutter });
        runFrom = -1;
      }
      if (!open) continue;
      if (runFrom < 0) runFrom = i;
      lastOpen = i;
    }
  }
  // A gutter wider than the window opens the same stretch at several positions: it is tried once, at their middle.
  const gutters = new Map<string, { from: number; to: number; at: number[] }>();
  for (const { from: top, to: bottom, gutter } of candidates) {
    const key = `${top}:${bottom}`;
    const entry = gutters.get(key) ?? { from: top, to: bottom, at: [] };
    entry.at.push(gutter);
    gutters.set(key, entry);
  }
  const stretches = [...gutters.values()].map(({ from: top, to: bottom, at }) => ({ from: top, to: bottom, gutter: at[Math.floor(at.length / 2)] }));
  stretches.sort((p, q) => q.to - q.from - (p.to - p.from));
  const best = stretches.find((c) => fillsBothColumns(stretch.slice(c.from, c.to), textLeft, c.gutter, textRight, minGutter, maxBlocked));
  return best === undefined ? null : { from: from + best.from, to: from + best.to, gutter: best.gutter };
}

/**
 * Both sides of the gutter hold ink on enough rows, and across the stretch each side's ink covers its width
 * without another gutter (an unruled table's columns leave blank columns between them; prose does not).
 */
function fillsBothColumns(rows: RowInk[], textLeft: number, gutter: number, textRight: number, minGutter: number, speck: number): boolean {
  return [
    [textLeft, gutter],
    [gutter, textRight],
  ].every(([from, to]) => {
    // Rows inked at each column of the side, from each run's start and end (a running sum over the side).
    const starts = new Int32Array(to - from + 1);
    let rowsWithInk = 0;
    for (const row of rows) {
      let any = false;
      for (let r = 0; r < row.runs.length; r += 2) {
        const x0 = Math.max(row.runs[r], from);
        const x1 = Math.min(row.runs[r + 1], to);
        if (x1 <= x0) continue;
        any = true;
        starts[x0 - from]++;
        starts[x1 - from]--;
      }
      if (any) rowsWithInk++;
    }
    const rowsInked = new Int32Array(to - from);
    for (let x = 0, sum = 0; x < to - from; x++) rowsInked[x] = sum += starts[x];
    // Columns inked on a few rows only (the scanner's dark page edge, a stray mark) are not text.
    const covered = Uint8Array.from(rowsInked, (count) => (count >= MIN_TEXT_ROWS * rows.length ? 1 : 0));
    if (rowsWithInk < MIN_COLUMN_FILL * rows.length) return false;
    const first = covered.indexOf(1);
    const last = covered.lastIndexOf(1);
    if (first < 0 || last - first + 1 < 0.5 * (to - from)) return false;
    // Between the columns of a table nothing is printed; inside prose nearly every column of pixels is inked somewhere.
    const stray = Math.max(speck, Math.round(STRAY_ROWS * rows.length));
    let blank = 0;
    for (let x = first; x <= last; x++) {
      blank = rowsInked[x] <= stray ? blank + 1 : 0;
      if (blank >= minGutter) return false;
    }
    return true;
  });
}
