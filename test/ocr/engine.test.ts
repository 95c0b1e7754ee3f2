/**
 * The OCR engine on synthetic scans drawn in the test (test/fixtures/ocr-unit/table-page.ts): a heading,
 * a sentence and a ruled table with merged cells — upright, turned a quarter, and skewed. Needs no
 * network: the models come from the @tesseract.js-data npm packages.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pdfkitBytes } from '../../tools/pdfkit-bytes';
import sharp, { type Sharp } from 'sharp';
import { ocrPage } from '../../workers/ocr/core';
import { binarize, cropImage, rotateQuarter, type GreyImage } from '../../workers/ocr/image';
import { detectSkew, rotateImage } from '../../workers/ocr/orientation';
import { closePdfImageReader, pdfPageImages, rasterImages } from '../../workers/ocr/page-image';
import { buildTableGrids } from '../../workers/geometry/grid';
import { splitLineIntoCells, tidyCjkSpacing } from '../../workers/ocr/cell-reader';
import { findRulings } from '../../workers/ocr/rulings';
import { readScannedPage } from '../../workers/ocr/scanned-page';
import { TesseractPool } from '../../workers/ocr/tesseract-pool';
import { BODY_ROWS, FONT, HEADING, noisyScan, PAGE, renderSvg, SENTENCE, tablePage } from '../fixtures/ocr-unit/table-page';

jest.setTimeout(60_000);

let pool: TesseractPool;
let page: GreyImage;

beforeAll(async () => {
  [pool, page] = await Promise.all([TesseractPool.create({ size: 2 }), tablePage()]);
});

afterAll(async () => {
  await pool?.terminate();
  await closePdfImageReader();
});

const fold = (text: string): string => text.normalize('NFKC').replace(/\s/g, '');

/** Every body row of the fixture appears as "label\tn1\t…\tn7" with the numbers exact. */
function expectTableRows(text: string): void {
  const lines = text.split('\n');
  for (const row of BODY_ROWS) {
    const wanted = fold(row.label[1] || row.label[0]);
    const line = lines.find((l) => l.includes('\t') && fold(l.split('\t')[0]).includes(wanted));
    expect({ label: wanted, line }).toEqual({ label: wanted, line: expect.any(String) });
    const cells = line!.split('\t');
    expect(cells).toHaveLength(8);
    expect(cells.slice(1)).toEqual(row.numbers);
  }
}

function pdfBytes(build: (doc: PDFKit.PDFDocument) => void): Promise<Buffer> {
  return pdfkitBytes({ autoFirstPage: false }, build);
}

const encode = (image: GreyImage): Sharp => sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 1 } });

describe('table geometry', () => {
  test('rulings give the grid, with merged header and label cells', () => {
    const { horizontal, vertical } = findRulings(binarize(page), page.width, page.height);
    const grids = buildTableGrids({ horizontal, vertical });
    expect(grids).toHaveLength(1);
    // 2 header rows + 6 body rows; 2 label columns + 7 numbers.
    expect(grids[0].rowLines).toHaveLength(9);
    expect(grids[0].colLines).toHaveLength(10);
    const spanning = grids[0].cells.filter((cell) => cell.rowSpan > 1 || cell.colSpan > 1);
    // 申请人情况 (2×2), 自然人, 总计 (2 rows), 法人或其他组织 (5 columns), the four one-column body labels
    // (2 columns), and 三、本年度办理结果 (3 rows).
    expect(spanning.map((cell) => [cell.rowSpan, cell.colSpan])).toEqual(
      expect.arrayContaining([[2, 2], [2, 1], [1, 5], [1, 2], [3, 1]]),
    );
  });

  test('unruled lines split into cells at wide gaps, CJK spacing is removed', () => {
    const word = (text: string, x0: number, x1: number) => ({ text, confidence: 90, bbox: [x0, 0, x1, 30] as [number, number, number, number] });
    const cells = splitLineIntoCells({ text: '', confidence: 90, bbox: [0, 0, 600, 30], words: [word('予', 0, 30), word('以', 32, 62), word('97', 200, 230), word('77', 300, 330)] });
    expect(cells.map((c) => c.map((w) => w.text).join(''))).toEqual(['予以', '97', '77']);
    expect(tidyCjkSpacing('三 、 收 到 和 处 理 ABC def')).toBe('三、收到和处理ABC def');
  });
});

describe('orientation', () => {
  test('skew is measured by projection profile', async () => {
    expect(detectSkew(page)).toBe(0);
    expect(Math.abs(detectSkew(await rotateImage(page, 1.5)) - 1.5)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(detectSkew(await rotateImage(page, -2.2)) + 2.2)).toBeLessThanOrEqual(0.1);
  });

  test('quarter turns are exact', () => {
    const turned = rotateQuarter(rotateQuarter(page, 90), 270);
    expect(turned.width).toBe(page.width);
    expect(Buffer.compare(Buffer.from(turned.data), Buffer.from(page.data))).toBe(0);
  });
});

describe('ocrPage', () => {
  test('upright page: tab-separated table rows with exact digits, plain lines, boxes and confidence', async () => {
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = Date.now();
    const { text, ocr } = await ocrPage(page, pool);
    delay.disable();
    // Reported for the record (perf figures belong in the report, not in assertions that flake).
    console.log(`ocrPage upright: ${Date.now() - started} ms, event-loop max delay ${(delay.max / 1e6).toFixed(0)} ms`);

    const lines = text.split('\n');
    expect(fold(lines[0])).toBe(fold(HEADING));
    expect(fold(lines[1])).toBe(fold(SENTENCE));
    expectTableRows(text);
    // The label spanning three rows is reported in its first row, before that row's own label.
    expect(fold(text)).toContain(fold('三、本年度办理结果（一）予以公开'));

    expect(ocr).toMatchObject({ rotation: 0, skewDegrees: 0, width: PAGE.width, height: PAGE.height });
    expect(ocr.meanConfidence).toBeGreaterThan(80);
    // One box per tab cell of every line.
    expect(ocr.boxes).toHaveLength(lines.reduce((n, l) => n + l.split('\t').length, 0));
    for (const box of ocr.boxes) {
      expect(box.confidence).toBeGreaterThanOrEqual(0);
      expect(box.confidence).toBeLessThanOrEqual(100);
      const [x0, y0, x1, y1] = box.bbox;
      expect(0 <= x0 && x0 < x1 && x1 <= ocr.width && 0 <= y0 && y0 < y1 && y1 <= ocr.height).toBe(true);
    }
    // The 8233 cell's box is where it was drawn (column 1 of the numbers, body row 4).
    const row = lines.findIndex((l) => l.split('\t')[1] === '8233');
    const box = ocr.boxes.find((b) => b.line === row && b.cell === 1)!;
    expect(box.bbox[0]).toBeGreaterThan(620);
    expect(box.bbox[2]).toBeLessThan(730);
    expect(box.confidence).toBeGreaterThan(80);
    expect(delay.max / 1e6).toBeLessThan(1000);
  });

  test('a page scanned sideways is turned upright', async () => {
    const { text, ocr } = await ocrPage(rotateQuarter(page, 90), pool);
    expect(ocr.rotation).toBe(270);
    expect(ocr.width).toBe(PAGE.width);
    expectTableRows(text);
  });

  test('a noisy 300-dpi scan (blur, noise, specks, JPEG, 0.6° skew, upside down): every number exact', async () => {
    const scan = rotateQuarter(await rotateImage(await noisyScan(), 0.6), 180);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = Date.now();
    const { text, ocr } = await ocrPage(scan, pool);
    delay.disable();
    console.log(`ocrPage noisy ${scan.width}×${scan.height}: ${Date.now() - started} ms, event-loop max delay ${(delay.max / 1e6).toFixed(0)} ms`);
    expect(ocr.rotation).toBe(180);
    expect(Math.abs(ocr.skewDegrees - 0.6)).toBeLessThanOrEqual(0.1);
    expect(ocr.dpi).toBe(300);
    expectTableRows(text);
    expect(delay.max / 1e6).toBeLessThan(1000);
  });

  test('a ruled row of dash placeholders and numbers: each dash is a cell of its own', async () => {
    const values = ['-', '-', '3', '-', '12'];
    const columns = [60, 420, 560, 700, 840, 980, 1120];
    const rulings = [
      ...[100, 180, 260].map((y) => `<line x1="60" y1="${y}" x2="1120" y2="${y}" stroke="black" stroke-width="3"/>`),
      ...columns.map((x) => `<line x1="${x}" y1="100" x2="${x}" y2="260" stroke="black" stroke-width="3"/>`),
    ];
    const header = ['结果维持', '结果纠正', '其他结果', '尚未审结', '总计'];
    const text = (x: number, y: number, content: string) => `<text x="${x}" y="${y}" font-family="${FONT}" font-size="30" text-anchor="middle">${content}</text>`;
    const image = await renderSvg(
      `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="340"><rect width="100%" height="100%" fill="white"/>${rulings.join('')}` +
        text(240, 152, '行政复议') + header.map((h, i) => text(columns[i + 1] + 70, 152, h)).join('') + values.map((v, i) => text(columns[i + 1] + 70, 232, v)).join('') + text(240, 232, '数量') + '</svg>',
    );
    const { text: read } = await ocrPage({ ...image, dpi: 300 }, pool, { detectRotation: false });
    expect(read.split('\n')).toContain(['数量', ...values].join('\t'));
  });

  test('a character closing a ruled row of numbers is taken for a misread number, and flagged', async () => {
    const columns = [60, 420, 560, 700, 840, 980];
    const rulings = [
      ...[100, 180].map((y) => `<line x1="60" y1="${y}" x2="980" y2="${y}" stroke="black" stroke-width="3"/>`),
      ...columns.map((x) => `<line x1="${x}" y1="100" x2="${x}" y2="180" stroke="black" stroke-width="3"/>`),
    ];
    const cells = ['数量', '3', '12', '5', '村'];
    const centres = [240, 490, 630, 770, 910];
    const image = await renderSvg(
      `<svg xmlns="http://www.w3.org/2000/svg" width="1040" height="260"><rect width="100%" height="100%" fill="white"/>${rulings.join('')}` +
        cells.map((cell, i) => `<text x="${centres[i]}" y="152" font-family="${FONT}" font-size="30" text-anchor="middle">${cell}</text>`).join('') +
        '</svg>',
    );
    const { text, ocr } = await ocrPage({ ...image, dpi: 300 }, pool, { detectRotation: false });
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.startsWith('数量\t'));
    const read = lines[line].split('\t');
    expect(read.slice(0, 4)).toEqual(['数量', '3', '12', '5']);
    expect(read[4]).toMatch(/^(?:[0-9.]+|\?)$/);
    expect(ocr.boxes.find((box) => box.line === line && box.cell === 4)!.confidence).toBeLessThanOrEqual(60);
  });

  test('column rulings sticking out above a table continued from the previous page are not a row (generated scan, seed 6)', async () => {
    // Page 3 of this scan opens with the table's column rulings a few millimetres above its first row; they were read as "1 1 1 2 1 1 1".
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-stubs-'));
    try {
      const repo = path.resolve(__dirname, '../..');
      execFileSync(path.join(repo, 'node_modules/.bin/tsx'), ['tools/make-scan-corpus.ts', '--seeds', '6', '--out', out], { cwd: repo, stdio: 'ignore' });
      const { text } = await readScannedPage(fs.readFileSync(path.join(out, 'scan-6.pdf')), 'application/pdf', 3, pool);
      expect(text.split('\n')[0]).toMatch(/^4\.无正当理由大量反复申请(\t0){7}$/);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  test('an unruled table: rows split into cells at wide gaps, numbers read digits-only', async () => {
    const rows = [
      ['行政复议', '3', '1', '0', '0', '4'],
      ['未经复议直接起诉', '2', '0', '1', '0', '3'],
      ['复议后起诉', '0', '0', '0', '12', '12'],
    ];
    const cells = rows.flatMap((row, i) =>
      row.map((cell, j) => `<text x="${j === 0 ? 60 : 500 + j * 130}" y="${180 + i * 70}" font-family="${FONT}" font-size="30" text-anchor="${j === 0 ? 'start' : 'end'}">${cell}</text>`),
    );
    const image = await renderSvg(
      `<svg xmlns="http://www.w3.org/2000/svg" width="1300" height="420"><rect width="100%" height="100%" fill="white"/>` +
        `<text x="60" y="80" font-family="${FONT}" font-size="32">四、政府信息公开行政复议、行政诉讼情况</text>${cells.join('')}</svg>`,
    );
    const { text, ocr } = await ocrPage(image, pool, { detectRotation: false });
    expect(text.split('\n')).toEqual(['四、政府信息公开行政复议、行政诉讼情况', ...rows.map((row) => row.join('\t'))]);
    expect(ocr.boxes.filter((box) => box.line === 3).map((box) => box.cell)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test('a skewed page is levelled', async () => {
    const { text, ocr } = await ocrPage(await rotateImage(page, 1.5), pool, { detectRotation: false });
    expect(Math.abs(ocr.skewDegrees - 1.5)).toBeLessThanOrEqual(0.1);
    expect(ocr.rotation).toBe(0);
    expectTableRows(text);
  });
});

describe('the committed scan fixtures', () => {
  /** Numeric cells of tab-separated lines, in reading order. */
  const tableNumbers = (text: string): string[] =>
    text
      .split('\n')
      .filter((line) => line.includes('\t'))
      .flatMap((line) => line.split('\t').map((cell) => cell.trim()))
      .filter((cell) => /^\d+(?:\.\d+)?$/.test(cell));

  test('001 scanned at 300 dpi (1-bit G4, skewed, dusty): every table number of pages 2–3 as in the source', async () => {
    const fixtures = path.join(__dirname, '../fixtures');
    const source = fs.readFileSync(path.join(fixtures, 'parse/001-nonzero.txt'), 'utf8');
    const images = await pdfPageImages(fs.readFileSync(path.join(fixtures, 'scans/001-nonzero-scan.pdf')), [2, 3]);
    expect(images.map((image) => [image.width, image.height, image.dpi, image.origin])).toEqual([
      [2481, 3508, 300, 'embedded'],
      [2481, 3508, 300, 'embedded'],
    ]);
    const started = Date.now();
    const pages = [];
    for (const image of images) pages.push(await ocrPage(image, pool));
    console.log(`001-nonzero-scan.pdf pages 2–3: ${((Date.now() - started) / 2000).toFixed(1)} s per page`);
    // Manifest skews are counter-clockwise; OcrPageInfo.skewDegrees is clockwise, like its rotation.
    expect(pages.map((page) => page.ocr.skewDegrees)).toEqual([0.8, -0.45]);
    const expected = tableNumbers(source);
    expect(expected).toHaveLength(200);
    expect(tableNumbers(pages.map((page) => page.text).join('\n'))).toEqual(expected);
  });
});

describe('tesseract pool', () => {
  test('digits-only cell reading and traditional Chinese on request', async () => {
    const cell = cropImage(page, [620, 570, 730, 636], 10);
    const digits = await pool.recognize(cell, { psm: '7', whitelist: '0123456789.-/' });
    expect(digits.text.trim()).toBe('8233');
    const traditional = await renderSvg(
      `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="80"><rect width="100%" height="100%" fill="white"/><text x="20" y="55" font-family="WenQuanYi Micro Hei" font-size="40">政府資訊公開</text></svg>`,
    );
    const read = await pool.recognize(traditional, { language: 'chi_tra', psm: '7' });
    expect(tidyCjkSpacing(read.text)).toBe('政府資訊公開');
  });

  test('a terminated pool refuses work', async () => {
    const spare = await TesseractPool.create({ size: 1 });
    await spare.terminate();
    await expect(spare.recognize(page)).rejects.toThrow('terminated');
  });
});

describe('page images', () => {
  test('a scanned PDF page yields its embedded image at native resolution; other pages render at 300 dpi', async () => {
    const png = await encode(page).png().toBuffer();
    const width = (page.width * 72) / 200;
    const height = (page.height * 72) / 200;
    const bytes = await pdfBytes((doc) => {
      doc.addPage({ size: [width, height], margin: 0 });
      doc.image(png, 0, 0, { width, height });
      doc.addPage({ size: [144, 72], margin: 0 });
      doc.fontSize(20).text('12345', 10, 10);
    });
    const [scan, drawn] = await pdfPageImages(bytes, [1, 2]);
    expect(scan).toMatchObject({ page: 1, width: page.width, height: page.height, dpi: 200, origin: 'embedded' });
    expect(Buffer.compare(Buffer.from(scan.data), Buffer.from(page.data))).toBe(0);
    expect(drawn).toMatchObject({ page: 2, width: 600, height: 300, dpi: 300, origin: 'rendered' });
    expect(drawn.data.some((v) => v < 128)).toBe(true);
  });

  test('PNG, JPEG and multi-page TIFF files decode to greyscale pages', async () => {
    const blackPage = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#000' } }).png().toBuffer();
    const whitePage = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#fff' } }).png().toBuffer();
    const tiff = await sharp([whitePage, blackPage], { join: { animated: true } }).tiff().toBuffer();
    const pages = await rasterImages(tiff);
    expect(pages.map((p) => [p.width, p.height, p.data[0]])).toEqual([[300, 200, 255], [300, 200, 0]]);
    const [jpeg] = await rasterImages(await encode(page).jpeg().toBuffer());
    expect([jpeg.width, jpeg.height, jpeg.data.length]).toEqual([page.width, page.height, page.width * page.height]);
  });
});
