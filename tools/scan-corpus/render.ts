/**
 * From a report printed by Chromium to the stored scan: each page rasterised by pdftoppm at the
 * seed's dpi, stamped and signed, then scanned (uneven light, skew, blur, grain and dust), turned
 * where the plan says, encoded (JPEG or 1-bit) and stored as a scanned PDF, a multi-page TIFF, or a
 * mixed PDF whose prose pages keep their text and whose table pages are scans.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { addNoise, blur, readPgm, seededRandom, skew, toGrey, turn, unevenLight, writePbm, type GreyImage } from '../scan-fixtures/raster';
import { imagePdf, type PageImage } from './image-pdf';
import { signStroke, stampSeal } from './marks';
import type { ScanVariations } from './plan';

const run = promisify(execFile);

interface Word {
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}
interface PrintedPage {
  width: number;
  height: number;
  words: Word[];
}

/** The printed PDF's words with their boxes in points (pdftotext -bbox-layout), page by page. */
async function printedWords(pdf: string): Promise<PrintedPage[]> {
  const { stdout } = await run('pdftotext', ['-bbox-layout', pdf, '-'], { maxBuffer: 64 * 1024 * 1024 });
  return stdout.split('<page ').slice(1).map((page) => ({
    width: Number(/width="([\d.]+)"/.exec(page)![1]),
    height: Number(/height="([\d.]+)"/.exec(page)![1]),
    words: [...page.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((match) => ({
      xMin: Number(match[1]),
      yMin: Number(match[2]),
      xMax: Number(match[3]),
      yMax: Number(match[4]),
      text: match[5],
    })),
  }));
}

interface Anchor {
  page: number;
  /** Points from the page's top-left corner. */
  x: number;
  y: number;
}

const findWord = (pages: PrintedPage[], test: (text: string) => boolean, last = false): { page: number; word: Word } | null => {
  const hits = pages.flatMap((page, index) => page.words.filter((word) => test(word.text)).map((word) => ({ page: index, word })));
  return (last ? hits[hits.length - 1] : hits[0]) ?? null;
};

/** Over the value row of table 四 (two rows under its 复议后起诉 header) or over the closing date. */
function sealAnchor(pages: PrintedPage[], over: 'table' | 'signature'): Anchor | null {
  if (over === 'table') {
    const header = findWord(pages, (text) => text.includes('复议后起诉'));
    if (!header) return null;
    const rowHeight = header.word.yMax - header.word.yMin;
    return { page: header.page, x: pages[header.page].width / 2, y: header.word.yMax + 2.5 * rowHeight };
  }
  return closingAnchor(pages);
}

function closingAnchor(pages: PrintedPage[]): Anchor | null {
  const date = findWord(pages, (text) => /^\d{4}年\d{1,2}月\d{1,2}日$/.test(text), true);
  return date ? { page: date.page, x: (date.word.xMin + date.word.xMax) / 2, y: (date.word.yMin + date.word.yMax) / 2 } : null;
}

/**
 * The pages a mixed PDF scans: from the one with table 三's header (申请人情况) to the one with table
 * 四's values, as offices scan the signed statistics and keep the prose as text.
 */
function tablePages(pages: PrintedPage[]): Set<number> {
  const first = findWord(pages, (text) => text.includes('申请人情况'))?.page ?? 0;
  const last = sealAnchor(pages, 'table')?.page ?? pages.length - 1;
  return new Set(Array.from({ length: last - first + 1 }, (_, index) => first + index));
}

async function rasterise(pdf: string, dpi: number, stem: string): Promise<string[]> {
  await run('pdftoppm', ['-r', String(dpi), pdf, stem]);
  const folder = path.dirname(stem);
  const pattern = new RegExp(`^${path.basename(stem)}-(\\d+)\\.ppm$`);
  return fs
    .readdirSync(folder)
    .filter((name) => pattern.test(name))
    .sort((a, b) => Number(pattern.exec(a)![1]) - Number(pattern.exec(b)![1]))
    .map((name) => path.join(folder, name));
}

/** One page from paper to pixels: ink on the paper, then what the scanner or camera does, then the turn. */
async function scanPage(variations: ScanVariations, index: number, page: GreyImage, marks: { seal?: Anchor; stroke?: Anchor }, printed: PrintedPage): Promise<GreyImage> {
  const plan = variations.pages[Math.min(index, variations.pages.length - 1)];
  const toPixels = (anchor: Anchor): [number, number] => [(anchor.x * page.width) / printed.width, (anchor.y * page.height) / printed.height];
  let image = page;
  if (marks.seal && variations.seal) image = await stampSeal(image, variations.seal, variations.dpi, toPixels(marks.seal));
  if (marks.stroke && variations.stroke) image = await signStroke(image, variations.stroke, variations.dpi, toPixels(marks.stroke));
  if (variations.encoding !== 'jpeg-colour') image = toGrey(image);
  if (variations.light) image = unevenLight(image, variations.light);
  if (plan.skewDegrees !== 0) image = skew(image, plan.skewDegrees);
  if (variations.blurPasses > 0) image = blur(image, variations.blurPasses);
  image = addNoise(image, seededRandom(plan.noiseSeed), variations.noise);
  return turn(image, plan.quarterTurns);
}

async function encode(variations: ScanVariations, image: GreyImage): Promise<PageImage> {
  const { width, height } = image;
  if (variations.encoding === 'bilevel') {
    const pbm = writePbm(image, variations.bilevelThreshold ?? 150);
    const rowBytes = Math.ceil(width / 8);
    return { kind: 'bilevel', bits: pbm.subarray(pbm.length - rowBytes * height), width, height, dpi: variations.dpi };
  }
  const channels = image.channels ?? 1;
  // A grey page stays one JPEG component: the PDF declares DeviceGray, and libvips would otherwise write three.
  const pixels = sharp(Buffer.from(image.data), { raw: { width, height, channels } });
  const jpeg = await (channels === 1 ? pixels.toColourspace('b-w') : pixels)
    .withDensity(variations.dpi)
    .jpeg({ quality: variations.jpegQuality ?? 75, mozjpeg: false })
    .toBuffer();
  const written = (await sharp(jpeg).metadata()).channels;
  if (written !== channels) throw new Error(`${variations.name}: a ${channels}-channel page was written as a ${written}-component JPEG`);
  return { kind: 'jpeg', jpeg, width, height, channels, dpi: variations.dpi };
}

async function writeTiff(variations: ScanVariations, images: PageImage[], work: string, output: string): Promise<void> {
  const frames = images.map((image, index) => {
    const file = path.join(work, `frame-${index + 1}.${image.kind === 'jpeg' ? 'jpg' : 'pbm'}`);
    if (image.kind === 'jpeg') fs.writeFileSync(file, image.jpeg);
    else fs.writeFileSync(file, Buffer.concat([Buffer.from(`P4\n${image.width} ${image.height}\n`, 'ascii'), image.bits]));
    return file;
  });
  const compression = variations.encoding === 'bilevel' ? ['-compress', 'Group4'] : ['-compress', 'JPEG', '-quality', String(variations.jpegQuality)];
  await run('convert', [...frames, ...compression, '-density', String(variations.dpi), '-units', 'PixelsPerInch', output]);
}

/** Writes `NAME.pdf` or `NAME.tif` into `outDir` from the printed PDF; returns the file name, its page count and which pages are scans (1-based). */
export async function renderScan(variations: ScanVariations, printedPdf: string, outDir: string, work: string): Promise<{ file: string; pageCount: number; scannedPages: number[] }> {
  const printed = await printedWords(printedPdf);
  const rasters = await rasterise(printedPdf, variations.dpi, path.join(work, 'page'));
  const sealAt = variations.seal ? sealAnchor(printed, variations.seal.over) : null;
  const closing = closingAnchor(printed);
  // The signature sits left of the closing agency line, a line above the date.
  const strokeAt = variations.stroke && closing ? { page: closing.page, x: closing.x - 120, y: closing.y - 20 } : null;
  const tables = tablePages(printed);
  const scanned = rasters
    .map((_, index) => index)
    .filter((index) => variations.container !== 'mixed' || tables.has(index) || sealAt?.page === index || strokeAt?.page === index);
  const images: PageImage[] = [];
  for (const index of scanned) {
    const page = readPgm(fs.readFileSync(rasters[index]));
    fs.rmSync(rasters[index]);
    const marks = { seal: sealAt?.page === index ? sealAt : undefined, stroke: strokeAt?.page === index ? strokeAt : undefined };
    images.push(await encode(variations, await scanPage(variations, index, page, marks, printed[index])));
  }
  const stem = path.join(outDir, variations.name);
  if (variations.container === 'tiff') {
    await writeTiff(variations, images, work, `${stem}.tif`);
    return { file: `${variations.name}.tif`, pageCount: rasters.length, scannedPages: scanned.map((index) => index + 1) };
  }
  if (variations.container === 'pdf' || scanned.length === rasters.length) {
    fs.writeFileSync(`${stem}.pdf`, imagePdf(images));
  } else {
    const scans = path.join(work, 'scans.pdf');
    fs.writeFileSync(scans, imagePdf(images));
    const selection = rasters.flatMap((_, index) => (scanned.includes(index) ? [scans, String(scanned.indexOf(index) + 1)] : [printedPdf, String(index + 1)]));
    await run('qpdf', ['--deterministic-id', '--empty', '--pages', ...selection, '--', `${stem}.pdf`]);
  }
  return { file: `${variations.name}.pdf`, pageCount: rasters.length, scannedPages: scanned.map((index) => index + 1) };
}
