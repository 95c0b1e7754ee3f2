/**
 * Red official seals (公章) stamped over table rows must not reach OCR as ink: colour page images lose
 * red ink when they become grey, through both decode paths (sharp for image files, the PDF image thread
 * for an embedded scan or a drawn page), while black digits under the seal and blue ink stay dark.
 */
import { pdfkitBytes } from '../../tools/pdfkit-bytes';
import sharp from 'sharp';
import { binarize, dropRedInk, type GreyImage } from '../../workers/ocr/image';
import { closePdfImageReader, pdfPageImages, rasterImage } from '../../workers/ocr/page-image';

jest.setTimeout(60_000);

const W = 600;
const H = 240;
const SEAL_RED = 'rgb(215,35,45)';

/** Seven-segment "8"s drawn as bars, so the test needs no font. */
function eights(): string {
  const bars: string[] = [];
  for (let i = 0; i < 7; i++) {
    const x = 30 + i * 80;
    const y = 50;
    for (const [bx, by, bw, bh] of [
      [0, 0, 50, 9], [0, 55, 50, 9], [0, 110, 50, 9],
      [0, 0, 9, 119], [41, 0, 9, 119],
    ]) bars.push(`<rect x="${x + bx}" y="${y + by}" width="${bw}" height="${bh}"/>`);
  }
  return `<g fill="#141414">${bars.join('')}</g>`;
}
const DIGITS = eights();
const BLUE = '<path d="M30 205 C 200 185, 400 225, 570 200" stroke="#1f3fa0" stroke-width="5" fill="none"/>';
function star(cx: number, cy: number, r: number): string {
  const points = Array.from({ length: 10 }, (_, i) => {
    const angle = -Math.PI / 2 + (i * Math.PI) / 5;
    const radius = i % 2 ? r * 0.4 : r;
    return `${cx + radius * Math.cos(angle)},${cy + radius * Math.sin(angle)}`;
  });
  return `<polygon points="${points.join(' ')}" fill="${SEAL_RED}"/>`;
}
const SEAL = `<circle cx="400" cy="110" r="95" stroke="${SEAL_RED}" stroke-width="12" fill="none"/>${star(400, 110, 40)}`;
const svg = (body: string): Buffer => Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${body}</svg>`);

/** Paper with black digits and a blue stroke; a 75 %-opaque red seal multiplied over them; JPEG q85 (4:2:0), like a phone or office scan. */
async function sealedScan(): Promise<Buffer> {
  const inked = await sharp({ create: { width: W, height: H, channels: 3, background: { r: 250, g: 248, b: 243 } } })
    .composite([{ input: svg(DIGITS + BLUE) }])
    .png()
    .toBuffer();
  const faded = await sharp(svg(SEAL))
    .ensureAlpha()
    .composite([{ input: Buffer.from([255, 255, 255, 190]), raw: { width: 1, height: 1, channels: 4 }, tile: true, blend: 'dest-in' }])
    .png()
    .toBuffer();
  return sharp(inked).composite([{ input: faded, blend: 'multiply' }]).jpeg({ quality: 85 }).toBuffer();
}

async function coverage(body: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp(svg(body)).ensureAlpha().extractChannel(3).raw().toBuffer());
}

interface Regions {
  sealOnly: number[];
  digitsUnderSeal: number[];
  digitsClear: number[];
  blue: number[];
  paper: number[];
}
let regions: Regions;

beforeAll(async () => {
  const [digits, seal, blue] = await Promise.all([coverage(DIGITS), coverage(SEAL), coverage(BLUE)]);
  // Pixels well inside one layer, 3 px away from the edges of the others (JPEG blurs colour over 2 px).
  const near = (mask: Uint8Array, p: number): boolean => {
    const x = p % W;
    const y = Math.floor(p / W);
    for (let dy = -3; dy <= 3; dy++) for (let dx = -3; dx <= 3; dx++) if (mask[Math.min(H - 1, Math.max(0, y + dy)) * W + Math.min(W - 1, Math.max(0, x + dx))] > 10) return true;
    return false;
  };
  regions = { sealOnly: [], digitsUnderSeal: [], digitsClear: [], blue: [], paper: [] };
  for (let p = 0; p < W * H; p++) {
    const d = digits[p] > 250;
    const s = seal[p] > 250;
    if (d && s) regions.digitsUnderSeal.push(p);
    else if (d && !near(seal, p)) regions.digitsClear.push(p);
    else if (s && !near(digits, p) && !near(blue, p)) regions.sealOnly.push(p);
    else if (blue[p] > 250 && !near(seal, p)) regions.blue.push(p);
    else if (!near(digits, p) && !near(seal, p) && !near(blue, p)) regions.paper.push(p);
  }
  expect(regions.digitsUnderSeal.length).toBeGreaterThan(1000);
  expect(regions.sealOnly.length).toBeGreaterThan(1000);
});

afterAll(() => closePdfImageReader());

/** Share of a region's pixels below Otsu's threshold, i.e. what OCR would take for ink. */
function inkShare(image: GreyImage): Record<keyof Regions, number> {
  const ink = binarize(image);
  const share = (pixels: number[]): number => Math.round((1000 * pixels.filter((p) => ink[p] === 1).length) / pixels.length) / 1000;
  return {
    sealOnly: share(regions.sealOnly),
    digitsUnderSeal: share(regions.digitsUnderSeal),
    digitsClear: share(regions.digitsClear),
    blue: share(regions.blue),
    paper: share(regions.paper),
  };
}

function mean(image: GreyImage, pixels: number[]): number {
  return Math.round(pixels.reduce((sum, p) => sum + image.data[p], 0) / pixels.length);
}

/** The seal is paper to OCR; the digits (with or without the seal over them) and the blue stroke are ink. */
function expectSealDropped(image: GreyImage): void {
  expect([image.width, image.height]).toEqual([W, H]);
  const share = inkShare(image);
  expect(share.sealOnly).toBeLessThan(0.01);
  expect(share.paper).toBe(0);
  expect(share.digitsUnderSeal).toBeGreaterThan(0.97);
  expect(share.digitsClear).toBeGreaterThan(0.99);
  expect(share.blue).toBeGreaterThan(0.9);
  expect(mean(image, regions.sealOnly)).toBeGreaterThanOrEqual(200);
  expect(mean(image, regions.digitsUnderSeal)).toBeLessThan(60);
  expect(mean(image, regions.digitsClear)).toBeLessThan(60);
}

function pdfWithScan(jpeg: Buffer, withText: boolean): Promise<Buffer> {
  return pdfkitBytes({ autoFirstPage: false }, (doc) => {
    // One point per pixel: the embedded scan is 72 dpi, and a page drawn at 72 dpi has the same grid.
    doc.addPage({ size: [W, H], margin: 0 });
    doc.image(jpeg, 0, 0, { width: W, height: H });
    if (withText) doc.fontSize(6).fillColor('#000000').text('x', W - 8, H - 8, { lineBreak: false });
  });
}

describe('red seal ink is dropped when a colour page becomes grey', () => {
  test('the plain luminance of the same scan leaves the seal as ink (what this guards against)', async () => {
    const { data } = await sharp(await sealedScan()).greyscale().raw().toBuffer({ resolveWithObject: true });
    expect(inkShare({ width: W, height: H, data: new Uint8Array(data), dpi: null }).sealOnly).toBeGreaterThan(0.5);
  });

  test('a JPEG file decoded by sharp', async () => {
    expectSealDropped(await rasterImage(await sealedScan(), 1));
  });

  test('a PNG file with transparency decoded by sharp', async () => {
    const rgba = await sharp(await sealedScan()).ensureAlpha().png().toBuffer();
    expectSealDropped(await rasterImage(rgba, 1));
  });

  test('a colour JPEG embedded in a PDF, taken as the scan itself', async () => {
    const [image] = await pdfPageImages(await pdfWithScan(await sealedScan(), false), [1]);
    expect(image.origin).toBe('embedded');
    expectSealDropped(image);
  });

  test('a PDF page that also paints text, drawn by pdf.js', async () => {
    const [image] = await pdfPageImages(await pdfWithScan(await sealedScan(), true), [1], { renderDpi: 72 });
    expect(image.origin).toBe('rendered');
    expectSealDropped(image);
  });

  test("a black stroke tinted by the seal's smeared JPEG colour stays ink; the seal's own red goes", () => {
    // Decoded JPEG pixels: luminance is sharp, the seal's red chroma is spread over the neighbouring strokes.
    const pixels = Uint8Array.from([
      110, 0, 0, // a black digit stroke beside the seal, reddened by chroma smear (luminance 33)
      60, 10, 10, // black under the seal, multiply-blended
      215, 35, 45, // seal ink
      235, 150, 150, // the seal's light edge
    ]);
    const grey = dropRedInk(pixels, 4, 1, 3);
    expect(grey[0]).toBeLessThan(60);
    expect(grey[1]).toBeLessThan(60);
    expect(grey[2]).toBeGreaterThan(200);
    expect(grey[3]).toBeGreaterThan(200);
  });

  test('grey input passes through unchanged', async () => {
    const grey = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(dropRedInk(grey, 16, 16, 1)).toEqual(grey);
    // Neutral colour pixels keep their value; alpha lays them over white paper as before.
    const rgba = new Uint8Array(256 * 4);
    for (let i = 0; i < 256; i++) rgba.set([i, i, i, 255 - i], i * 4);
    expect(dropRedInk(rgba, 16, 16, 4)).toEqual(Uint8Array.from({ length: 256 }, (_, i) => Math.round(255 - ((255 - i) * (255 - i)) / 255)));
    const png = await sharp(Buffer.from(grey), { raw: { width: 16, height: 16, channels: 1 } }).png().toBuffer();
    expect((await rasterImage(png, 1)).data).toEqual(grey);
  });
});
