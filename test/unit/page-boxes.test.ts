/**
 * Where a value was printed, from the line boxes ingest records: a character range of the page text
 * (page offsets, as provenance gives them) back to its box, and the box scaled onto a page image.
 */
import { encodeLineBoxes, rangeBox, relativeBox, scannedBox, sliceBox, type Box, type PageBoxes } from '../../shared/page-boxes';
import type { Ruling } from '../../workers/geometry/grid';
import { layoutPage } from '../../workers/geometry/layout';
import type { PositionedText } from '../../workers/geometry/positioned';

const SIZE = 10;

/** Text written from (x, top), one em of SIZE per Chinese character and half an em for anything else. */
function text(value: string, x: number, top: number): PositionedText {
  const width = [...value].reduce((sum, character) => sum + (/[\u3000-\u9fff]/.test(character) ? SIZE : SIZE / 2), 0);
  return { text: value, box: [x, top, x + width, top + SIZE] };
}

const ruling = (pos: number, from: number, to: number): Ruling => ({ pos, from, to, thickness: 0.5 });

/** Page offsets of the first occurrence of `value` on line `line` of `pageText`. */
function locate(pageText: string, line: number, value: string): { start: number; end: number } {
  const lines = pageText.split('\n');
  const lineStart = lines.slice(0, line).reduce((sum, current) => sum + current.length + 1, 0);
  const at = lines[line].indexOf(value);
  expect(at).toBeGreaterThanOrEqual(0);
  return { start: lineStart + at, end: lineStart + at + value.length };
}

describe('line boxes', () => {
  test('segments record each run at its offsets in the line; separators the layout added have none', () => {
    const encoded = encodeLineBoxes([
      { text: '规章', box: [50, 100, 70, 110] },
      { text: '\t', box: null },
      { text: '12', box: [200.04, 100, 210, 110] },
    ]);
    expect(encoded).toEqual([0, 2, 50, 100, 70, 110, 3, 5, 200, 100, 210, 110]);
  });

  test('a value inside a run gets its share of the run, digits half as wide as Chinese characters', () => {
    const run: Box = [100, 50, 130, 60];
    // 共 (1 em) 12 (2 × ½ em) 件 (1 em): the digits take the middle em of the three.
    expect(sliceBox('共12件', run, 1, 3)).toEqual([110, 50, 120, 60]);
    expect(sliceBox('共12件', run, 0, 4)).toEqual(run);
    // A vertical run is sliced along y.
    expect(sliceBox('三四', [0, 0, 10, 20], 1, 2)).toEqual([0, 10, 10, 20]);
  });

  test('a range across runs is their union; a range on no recorded run has no box', () => {
    const boxes: PageBoxes = { width: 600, height: 800, lines: [[0, 4, 50, 20, 90, 30], [0, 2, 50, 100, 70, 110, 3, 6, 200, 100, 215, 110]] };
    const pageText = '报告标题\n规章\t123';
    expect(rangeBox(pageText, boxes, 1, 8, 11)).toEqual([200, 100, 215, 110]);
    expect(rangeBox(pageText, boxes, 1, 5, 11)).toEqual([50, 100, 215, 110]);
    expect(rangeBox(pageText, boxes, 1, 7, 8)).toBeNull();
    expect(rangeBox(pageText, boxes, 2, 0, 1)).toBeNull();
  });

  test('a box as fractions of the page maps onto an image of any scale', () => {
    const fractions = relativeBox([60, 80, 120, 100], 600, 800);
    expect(fractions).toEqual([0.1, 0.1, 0.2, 0.125]);
    for (const imageWidth of [850, 1650]) {
      const imageHeight = (imageWidth * 800) / 600;
      const [x0, y0, x1, y1] = [fractions[0] * imageWidth, fractions[1] * imageHeight, fractions[2] * imageWidth, fractions[3] * imageHeight];
      expect(x0 / imageWidth).toBeCloseTo(60 / 600);
      expect((x1 - x0) * (600 / imageWidth)).toBeCloseTo(60);
      expect((y1 - y0) * (800 / imageHeight)).toBeCloseTo(20);
      expect(y0).toBeCloseTo((80 / 800) * imageHeight);
    }
  });
});

describe('OCR boxes', () => {
  test('a box OCR found on the levelled page is turned back onto the crooked scan', () => {
    const page = { width: 2000, height: 3000, skewDegrees: 1 };
    // At the centre nothing moves; far right of the centre, a clockwise skew puts the value lower on the scan.
    expect(scannedBox([990, 1490, 1010, 1510], page).map(Math.round)).toEqual([990, 1490, 1010, 1510]);
    const [x0, y0, x1, y1] = scannedBox([1890, 1490, 1910, 1510], page);
    expect((y0 + y1) / 2 - 1500).toBeCloseTo(900 * Math.sin(Math.PI / 180), 1);
    expect((x0 + x1) / 2 - 1900).toBeCloseTo(-900 * (1 - Math.cos(Math.PI / 180)), 1);
    expect(scannedBox([100, 200, 300, 400], { ...page, skewDegrees: 0 })).toEqual([100, 200, 300, 400]);
  });
});

describe('the geometry reader records where every value of its page text was printed', () => {
  test('a ruled row: the number in its cell, a label wrapped over two lines still covering both', () => {
    const rulings = {
      horizontal: [ruling(100, 50, 350), ruling(150, 50, 350)],
      vertical: [ruling(50, 100, 150), ruling(250, 100, 150), ruling(300, 100, 150), ruling(350, 100, 150)],
    };
    const value = text('9544', 260, 120);
    const laidOut = layoutPage({ width: 600, height: 800, items: [text('5.要求行政机关', 55, 105), text('确认', 55, 125), value, text('12', 310, 120)], rulings });
    expect(laidOut.text).toBe('5.要求行政机关确认\t9544\t12');
    const at = locate(laidOut.text, 0, '9544');
    expect(rangeBox(laidOut.text, laidOut.boxes, 0, at.start, at.end)).toEqual(value.box);
    const label = locate(laidOut.text, 0, '要求行政机关确认');
    const labelBox = rangeBox(laidOut.text, laidOut.boxes, 0, label.start, label.end)!;
    expect(labelBox[1]).toBe(105);
    expect(labelBox[3]).toBe(135);
  });

  test('prose: a figure inside a run, on the second line, after lines the layout dropped', () => {
    const laidOut = layoutPage({
      width: 600,
      height: 800,
      items: [text('第 2 页', 280, 10), text('一、总体情况', 50, 100), text('本年度共收到申请 35 件', 50, 130), text('-3-', 290, 780)],
      rulings: { horizontal: [], vertical: [] },
    });
    expect(laidOut.text).toBe('一、总体情况\n本年度共收到申请 35 件');
    const at = locate(laidOut.text, 1, '35');
    const [x0, y0, x1, y1] = rangeBox(laidOut.text, laidOut.boxes, 1, at.start, at.end)!;
    // 本年度共收到申请 is 8 ems, then a half-em space: the digits start at 50 + 85 and take one em.
    expect([x0, y0, x1, y1].map((value) => Math.round(value))).toEqual([135, 130, 145, 140]);
    expect(laidOut.boxes.lines).toHaveLength(2);
  });
});
