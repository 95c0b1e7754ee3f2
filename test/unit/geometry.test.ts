/**
 * The geometry reader: positioned text and ruling lines in, page text out, with every table row one
 * line of tab-separated cells however the cells' text was wrapped, stacked or cut by a page break.
 */
import type { Ruling } from '../../workers/geometry/grid';
import { layoutPageText } from '../../workers/geometry/layout';
import type { PositionedPage, PositionedText } from '../../workers/geometry/positioned';

const SIZE = 10;

/** Text written from (x, top), one character every SIZE units, as a PDF text item is. */
function text(value: string, x: number, top: number): PositionedText {
  return { text: value, box: [x, top, x + [...value].length * SIZE, top + SIZE] };
}

const line = (pos: number, from: number, to: number): Ruling => ({ pos, from, to, thickness: 0.5 });

/** A ruled grid: horizontal rulings at `rows`, vertical ones at `columns`, each across the whole table. */
function grid(rows: number[], columns: number[]): PositionedPage['rulings'] {
  return {
    horizontal: rows.map((y) => line(y, columns[0], columns[columns.length - 1])),
    vertical: columns.map((x) => line(x, rows[0], rows[rows.length - 1])),
  };
}

function page(items: PositionedText[], rulings: PositionedPage['rulings'] = { horizontal: [], vertical: [] }): PositionedPage {
  return { width: 600, height: 800, items, rulings };
}

describe('ruled tables', () => {
  test('each row is one line of cells; a label wrapped over three lines is one cell, its numbers on the middle line', () => {
    const rulings = grid([100, 130, 190], [50, 250, 300, 350]);
    const lines = layoutPageText(
      page(
        [
          text('信息内容', 55, 110),
          text('本年', 255, 105),
          text('件数', 255, 116),
          text('总计', 305, 110),
          text('5.要求行政机关确认', 55, 135),
          text('或重新出', 55, 155),
          text('具已获取信息', 55, 175),
          text('1', 255, 155),
          text('12', 305, 155),
        ],
        rulings,
      ),
    ).split('\n');
    expect(lines).toEqual(['信息内容\t本年件数\t总计', '5.要求行政机关确认或重新出具已获取信息\t1\t12']);
  });

  test('a group label printed one character per line in a cell spanning rows is read whole, in its first row', () => {
    // Column 0 spans both rows: no horizontal ruling crosses it at y = 130.
    const rulings = {
      horizontal: [line(100, 50, 300), line(130, 80, 300), line(160, 50, 300)],
      vertical: [line(50, 100, 160), line(80, 100, 160), line(250, 100, 160), line(300, 100, 160)],
    };
    const stacked = [...'三、办理'].map((character, index) => text(character, 60, 102 + index * 14));
    const lines = layoutPageText(page([...stacked, text('1.国家秘密', 85, 110), text('2', 255, 110), text('2.重复申请', 85, 140), text('0', 255, 140)], rulings)).split('\n');
    expect(lines).toEqual(['三、办理\t1.国家秘密\t2', '2.重复申请\t0']);
  });

  test('a number wrapped in a narrow cell ("823" over "3") is one number', () => {
    const rulings = grid([100, 140], [50, 200, 230]);
    expect(layoutPageText(page([text('行政许可', 55, 110), text('823', 201, 102), text('3', 201, 122)], rulings))).toBe('行政许可\t8233');
  });

  test('a blank cell between numbers keeps its place', () => {
    const rulings = grid([100, 130], [50, 200, 250, 300, 350]);
    expect(layoutPageText(page([text('规章', 55, 110), text('1', 205, 110), text('11', 305, 110)], rulings))).toBe('规章\t1\t\t11');
  });

  test('one text run drawn across several cells is cut into them', () => {
    const rulings = grid([100, 130], [50, 150, 170, 190]);
    expect(layoutPageText(page([text('规章', 55, 110), text('1 0', 155, 110)], rulings))).toBe('规章\t1\t0');
  });

  test('the row a page break left without its bottom border stays in the table', () => {
    const rulings = {
      horizontal: [line(100, 50, 300), line(130, 50, 300)],
      vertical: [line(50, 100, 160), line(250, 100, 160), line(300, 100, 160)],
    };
    const lines = layoutPageText(page([text('1.本机关不掌握', 55, 110), text('10', 255, 110), text('2.没有现成信息', 55, 140), text('3', 255, 140)], rulings)).split('\n');
    expect(lines).toEqual(['1.本机关不掌握\t10', '2.没有现成信息\t3']);
  });
});

describe('text outside tables', () => {
  test('lines in reading order, the text between tables kept where it stands', () => {
    const rulings = grid([200, 230], [50, 200, 250]);
    const lines = layoutPageText(page([text('二、主动公开政府信息情况', 50, 150), text('规章', 55, 210), text('3', 205, 210), text('三、收到和处理', 50, 260)], rulings)).split('\n');
    expect(lines).toEqual(['二、主动公开政府信息情况', '规章\t3', '三、收到和处理']);
  });

  test('on an unruled line, a wide gap separates cells and a narrow one is a space', () => {
    expect(layoutPageText(page([text('主动公开文件数', 50, 100), text('条', 200, 100), text('2949', 260, 100), text('2021', 50, 130), text('年', 94, 130)]))).toBe('主动公开文件数\t条\t2949\n2021 年');
  });

  test('page numbers in the margins are dropped, numbers in the body are not', () => {
    const lines = layoutPageText(page([text('-3-', 290, 780), text('第 2 页', 280, 10), text('12', 50, 400)])).split('\n');
    expect(lines).toEqual(['12']);
  });
});
