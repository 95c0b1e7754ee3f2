import { buildTableGrids, type Ruling } from '../../workers/geometry/grid';
import { flattenBackground } from '../../workers/ocr/background';
import { textRegions, tidyTableLabel } from '../../workers/ocr/core';
import { cellInk } from '../../workers/ocr/cell-reader';
import { binarize, blankImage, type GreyImage } from '../../workers/ocr/image';
import { findRulings } from '../../workers/ocr/rulings';

/** Paper in a shadow on the left (80) and lit on the right (250), with 20×30 blocks of ink at 35 % of their paper. */
function unevenlyLitPage(): { page: GreyImage; isInk: (x: number, y: number) => boolean } {
  const width = 600;
  const height = 400;
  const isInk = (x: number, y: number): boolean => x % 60 >= 20 && x % 60 < 40 && y % 80 >= 25 && y % 80 < 55;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const paper = 80 + (170 * x) / (width - 1);
      // Ink in the shadow is darker too (a multiply, as a photo sees it), but lighter than the shadowed paper on the right ink.
      data[y * width + x] = isInk(x, y) ? Math.round(0.35 * paper) : Math.round(paper);
    }
  }
  return { page: { width, height, data, dpi: 100 }, isInk };
}

describe('even paper', () => {
  test('an unevenly lit page comes out with white paper everywhere and its ink dark', () => {
    const { page, isInk } = unevenlyLitPage();
    // Before: one threshold over the whole page calls the dim paper on the left ink.
    const before = binarize(page);
    const flat = flattenBackground(page);
    const after = binarize(flat);
    let paperAsInkBefore = 0;
    let wrongAfter = 0;
    let inkPixels = 0;
    let darkestPaper = 255;
    let lightestInk = 0;
    for (let y = 0; y < page.height; y++) {
      for (let x = 0; x < page.width; x++) {
        const i = y * page.width + x;
        if (isInk(x, y)) {
          inkPixels++;
          if (after[i] !== 1) wrongAfter++;
          lightestInk = Math.max(lightestInk, flat.data[i]);
        } else {
          if (before[i] === 1) paperAsInkBefore++;
          if (after[i] !== 0) wrongAfter++;
          darkestPaper = Math.min(darkestPaper, flat.data[i]);
        }
      }
    }
    expect(darkestPaper).toBeGreaterThan(200);
    expect(lightestInk).toBeLessThan(110);
    expect(inkPixels).toBeGreaterThan(10_000);
    expect(paperAsInkBefore).toBeGreaterThan(10_000);
    expect(wrongAfter).toBe(0);
  });
});

describe('tables cut by a page break', () => {
  const horizontal = (pos: number): Ruling => ({ pos, from: 0, to: 600, thickness: 2 });
  const vertical = (pos: number, from: number, to: number): Ruling => ({ pos, from, to, thickness: 2 });
  // Column rulings run 60 px above the first row ruling: the table's first row lost its top border to the page break.
  const rulings = { horizontal: [horizontal(100), horizontal(200), horizontal(300)], vertical: [vertical(0, 40, 300), vertical(300, 40, 300), vertical(600, 40, 300)] };

  test('the row between the cut and the first ruling counts when asked for', () => {
    const [open] = buildTableGrids(rulings, { openEdgeRow: 30 });
    expect(open.rowLines).toEqual([40, 100, 200, 300]);
    expect(open.cells.filter((cell) => cell.row === 0)).toHaveLength(2);
    const [closed] = buildTableGrids(rulings);
    expect(closed.rowLines).toEqual([100, 200, 300]);
  });

  test("a table's first row alone at the foot of a page, with one ruling across it, is a row", () => {
    const foot = { horizontal: [horizontal(900)], vertical: [vertical(0, 900, 990), vertical(300, 900, 990), vertical(600, 900, 990)] };
    const [grid] = buildTableGrids(foot, { openEdgeRow: 30 });
    expect(grid.rowLines).toEqual([900, 990]);
    expect(grid.cells).toHaveLength(2);
    expect(buildTableGrids(foot)).toEqual([]);
  });

  test('a ruling that merely overshoots a little is no row', () => {
    const slight = { ...rulings, vertical: rulings.vertical.map((ruling) => ({ ...ruling, from: 90 })) };
    const [grid] = buildTableGrids(slight, { openEdgeRow: 30 });
    expect(grid.rowLines).toEqual([100, 200, 300]);
  });
});

describe('rulings on a scan', () => {
  /**
   * A 600×800 mask (1 = ink): a table ruled every 200 px with a 6-px column rule at x = 300, whose header
   * (y 50–200) is shaded, so thresholded to ink but for a few specks per column.
   */
  function shadedHeaderTable(): Uint8Array {
    const width = 600;
    const mask = new Uint8Array(width * 800);
    const ink = (x0: number, y0: number, x1: number, y1: number): void => {
      for (let y = y0; y < y1; y++) mask.fill(1, y * width + x0, y * width + x1);
    };
    ink(20, 50, 580, 200);
    // Specks of paper in the shading, at different heights in each column, as a threshold leaves them.
    for (let x = 20; x < 580; x++) for (let y = 60 + ((x * 37) % 130), n = 0; n < 5; n++) mask[(y + n) * width + x] = 0;
    for (const y of [50, 200, 400, 600, 750]) ink(20, y - 3, 580, y + 3);
    for (const x of [20, 300, 580]) ink(x - 3, 50, x + 3, 753);
    return mask;
  }

  test('a column rule running through a shaded header stays a rule, and the shading is none', () => {
    const { vertical } = findRulings(shadedHeaderTable(), 600, 800);
    const middle = vertical.filter((r) => Math.abs(r.pos - 300) <= 3);
    expect(middle.some((r) => r.from <= 200 && r.to >= 750)).toBe(true);
    expect(vertical.filter((r) => r.to <= 210)).toEqual([]);
  });

  /**
   * A page-sized mask (2480×2600, a 300-dpi A4 page's width): a one-row table (y 100–170, nine column rules a row
   * tall, shorter than any ruling elsewhere) and, below it, a one-cell title row (y 300–370) whose two edges were
   * drawn row by row, with one stroke of text reaching from ruling to ruling.
   */
  function rowAloneAndTitle(): { mask: Uint8Array; width: number; height: number } {
    const width = 2480;
    const height = 2600;
    const mask = new Uint8Array(width * height);
    const ink = (x0: number, y0: number, x1: number, y1: number): void => {
      for (let y = y0; y < y1; y++) mask.fill(1, y * width + x0, y * width + x1);
    };
    for (const y of [100, 170, 300, 370]) ink(40, y - 2, 2440, y + 2);
    for (let x = 40; x <= 2440; x += 300) ink(x - 2, 98, x + 2, 172);
    for (const x of [40, 1200, 2440]) ink(x - 2, 298, x + 2, 372);
    return { mask, width, height };
  }

  test('a table row alone on a page keeps its row-tall column rules; a stroke across a title row is no column', () => {
    const { mask, width, height } = rowAloneAndTitle();
    const grids = buildTableGrids(findRulings(mask, width, height));
    const row = grids.find((grid) => grid.bbox[1] < 150);
    expect(row?.rowLines).toHaveLength(2);
    expect(row?.colLines).toHaveLength(9);
    expect(grids.filter((grid) => grid.bbox[1] > 250)).toEqual([]);
  });
});

describe('table labels from a scan', () => {
  test('row numbering that lost its point gets it back, so the number is not read as a value', () => {
    expect(tidyTableLabel('1属于国家秘密')).toBe('1.属于国家秘密');
    expect(tidyTableLabel('(三)不予公开 2其他法律行政法规禁止公开')).toBe('(三)不予公开 2.其他法律行政法规禁止公开');
    expect(tidyTableLabel('3.其他')).toBe('3.其他');
    expect(tidyTableLabel('2021年新收')).toBe('2021年新收');
    expect(tidyTableLabel('第2条')).toBe('第2条');
  });

  test('a speck read as a full stop inside a label is dropped', () => {
    expect(tidyTableLabel('行政机关不再处理其政。府信息公开申请')).toBe('行政机关不再处理其政府信息公开申请');
  });
});

describe('text outside the tables', () => {
  /** A 300-dpi page: a line of 40-px characters at the top, a table below, and scanner dust (3×3 specks, two to a row, a few rows apart) beside the table and under it. */
  function pageWithDust(): { page: GreyImage; table: [number, number, number, number] } {
    const page = blankImage(1200, 1400, 300);
    const paint = (x0: number, y0: number, w: number, h: number): void => {
      for (let y = y0; y < y0 + h; y++) page.data.fill(0, y * page.width + x0, y * page.width + x0 + w);
    };
    for (let c = 0; c < 10; c++) paint(100 + c * 50, 100, 40, 40);
    const table: [number, number, number, number] = [200, 300, 1000, 900];
    for (let c = 0; c < 6; c++) paint(250 + c * 120, 400 + c * 80, 60, 30);
    for (const y of [500, 520, 540, 1200, 1215, 1230]) for (const x of [60 + (y % 7), 1100 - (y % 11)]) paint(x, y, 3, 3);
    return { page, table };
  }

  test('bands holding nothing but dust are not read (a speck read as a digit would join a table row)', () => {
    const { page, table } = pageWithDust();
    const regions = textRegions(page, binarize(page), [table]);
    expect(regions?.pieces.map(({ from, to }) => [from, to])).toEqual([[88, 152]]);
    // The same specks beside a real line of text stay with it: only bands of dust alone are dropped.
    const { page: withLine } = pageWithDust();
    for (let y = 1200; y < 1240; y++) withLine.data.fill(0, y * withLine.width + 100, y * withLine.width + 140);
    expect(textRegions(withLine, binarize(withLine), [table])?.pieces).toHaveLength(2);
  });
});

describe('prose in two columns', () => {
  /** A 300-dpi page of 40-px "characters" 50 px apart; `rows` gives each line's top and the [from, to) spans of x it is printed over. */
  function printedPage(rows: Array<{ top: number; spans: Array<[number, number]> }>): GreyImage {
    const page = blankImage(2400, 1600, 300);
    for (const { top, spans } of rows) {
      for (const [from, to] of spans) {
        for (let x = from; x + 40 <= to; x += 50) for (let y = top; y < top + 40; y++) page.data.fill(0, y * page.width + x, y * page.width + x + 40);
      }
    }
    return page;
  }
  const title = { top: 100, spans: [[300, 2100]] as Array<[number, number]> };
  const lines = (count: number, spans: (line: number) => Array<[number, number]>, top = 250, pitch = 70) =>
    Array.from({ length: count }, (_, line) => ({ top: top + line * pitch, spans: spans(line) }));
  const piecesOf = (page: GreyImage) => textRegions(page, binarize(page), [])?.pieces.map(({ from, to, left, right }) => ({ from, to, left, right }));

  test('two columns of prose under a full-width title are read as the title, the left column, then the right', () => {
    // The right column's lines sit 30 px lower than the left's, as two independently set columns do; the left one ends in a short line.
    const left = lines(15, (line) => [[300, line === 14 ? 700 : 1150]]);
    const right = lines(15, () => [[1250, 2100]], 280);
    const pieces = piecesOf(printedPage([title, ...left, ...right]))!;
    expect(pieces.map(({ left, right }) => [left, right])).toEqual([
      [0, 2400],
      [0, expect.any(Number)],
      [expect.any(Number), 2400],
    ]);
    const gutter = pieces[1].right;
    expect(gutter).toBeGreaterThan(1150);
    expect(gutter).toBeLessThan(1250);
    expect(pieces[2].left).toBe(gutter);
    expect(pieces[0].to).toBeLessThanOrEqual(250);
    expect(pieces[1].from).toBe(pieces[2].from);
  });

  test('one column of prose, with short last lines of paragraphs, stays whole', () => {
    const prose = lines(15, (line) => [[line % 5 === 0 ? 400 : 300, line % 5 === 4 ? 800 : 2100]]);
    expect(piecesOf(printedPage([title, ...prose])) ?? []).toEqual([expect.objectContaining({ left: 0, right: 2400 }), expect.objectContaining({ left: 0, right: 2400 })]);
  });

  test('an unruled table (a label and three numbers a row) stays whole: its blank columns are not a gutter', () => {
    const table = lines(15, () => [
      [300, 900],
      [1300, 1400],
      [1600, 1700],
      [1900, 2000],
    ]);
    expect(piecesOf(printedPage([title, ...table])) ?? []).toEqual([expect.objectContaining({ left: 0, right: 2400 }), expect.objectContaining({ left: 0, right: 2400 })]);
  });
});

describe('ink of a cell', () => {
  /** A 300-dpi cell: a 6-px bar at `strokeGrey` (40 px long) with a 3-px stub at `stubGrey` leaving it upwards. */
  function cellWithStub(strokeGrey: number, stubGrey: number): GreyImage {
    const cell = blankImage(120, 100, 300);
    for (let y = 50; y < 56; y++) cell.data.fill(strokeGrey, y * 120 + 40, y * 120 + 80);
    for (let y = 20; y < 50; y++) cell.data.fill(stubGrey, y * 120 + 40, y * 120 + 43);
    return cell;
  }
  const inkRows = (crop: GreyImage): number => {
    let rows = 0;
    for (let y = 0; y < crop.height; y++) if (crop.data.subarray(y * crop.width, (y + 1) * crop.width).some((v) => v < 250)) rows++;
    return rows;
  };

  test('on a pale scan, a faint stroke joined to the ink is kept (a 5 without its stem reads as a 3)', () => {
    const pale = cellWithStub(140, 180);
    // The page's threshold (150) takes the bar and leaves the stub out.
    const ink = cellInk(pale, binarize(pale, 150), [0, 0, 120, 100])!;
    expect(ink.box).toEqual([40, 20, 80, 56]);
    expect(inkRows(ink.crop)).toBe(36);
  });

  test('grey that pale beside black print is its edge, not a stroke', () => {
    const black = cellWithStub(0, 180);
    const ink = cellInk(black, binarize(black, 150), [0, 0, 120, 100])!;
    expect(ink.box).toEqual([40, 50, 80, 56]);
  });
});
