/**
 * Page orientation before reading: quarter-turn rotation (a page scanned sideways or upside down) and
 * small skew (a page laid crooked on the scanner).
 *
 * Rotation: tesseract's own orientation detection needs the legacy engine and the osd model, which the
 * LSTM-only setup here does not load. Instead a sample of the page is read at each quarter turn and the
 * turn whose reading yields the most confidently recognised Chinese characters and digits wins; an
 * upright reading that is already confident ends the search early.
 *
 * Skew: projection profiles. Text lines and table rulings make the row profile of ink spiky when the
 * page is level; the angle within ±maxDegrees that maximises the profile's sum of squares is the skew.
 */
import sharp, { type Sharp } from 'sharp';
import type { GreyImage, Rect } from './image';
import { binarize, cropImage, downscale, inkBox, otsuThreshold, rotateQuarter } from './image';
import { eraseRulings, findRulings } from './rulings';
import type { OcrLanguage, OcrResult, TesseractPool } from './tesseract-pool';

/** Lets the event loop run between blocks of pixel work. */
const pause = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export type QuarterTurn = 0 | 90 | 180 | 270;

export interface RotationDetection {
  /** Clockwise rotation that makes the page upright. */
  rotation: QuarterTurn;
  /** Score per tried rotation (confidence-weighted count of recognised CJK characters and digits). */
  scores: Partial<Record<QuarterTurn, number>>;
}

/** Characters a correctly oriented Chinese report is made of. */
const USEFUL_CHARACTER = /[\p{Script=Han}0-9]/u;

function readingScore(result: OcrResult): number {
  let score = 0;
  for (const line of result.lines) {
    for (const word of line.words) {
      if (word.confidence < 50) continue;
      let useful = 0;
      for (const ch of word.text) if (USEFUL_CHARACTER.test(ch)) useful++;
      score += (useful * word.confidence) / 100;
    }
  }
  return score;
}

/**
 * The sample read at each rotation: the square of the page (up to `side` pixels) with the most text ink,
 * table rulings removed, so four readings cost less than one page-sized one. Null for a blank page.
 */
export async function orientationSample(image: GreyImage, side = 640): Promise<GreyImage | null> {
  // Locate text on a reduced copy with table rulings removed: cheap, and precise enough to place a window.
  const factor = Math.max(1, Math.floor(Math.max(image.width, image.height) / 1000));
  const small = downscale(image, factor);
  await pause();
  const mask = binarize(small, Math.min(230, otsuThreshold(small) + 20));
  const smallRulings = findRulings(mask, small.width, small.height, { minLength: Math.max(30, Math.round(small.width * 0.05)), maxThickness: 6 });
  const inkAsImage = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) inkAsImage[i] = mask[i] ? 0 : 255;
  const textMask = binarize(eraseRulings({ ...small, data: inkAsImage }, smallRulings, 1), 128);
  const content = inkBox(textMask, small.width, [0, 0, small.width, small.height]);
  // A blank page has no orientation to find.
  if (content === null) return null;
  const [cx0, cy0, cx1, cy1] = content.box;
  const sideSmall = Math.max(1, Math.floor(side / factor));
  const w = Math.min(sideSmall, cx1 - cx0);
  const h = Math.min(sideSmall, cy1 - cy0);
  // The band of rows with the most text ink, then the window along it with the most.
  const bestStart = (sums: Float64Array, from: number, to: number, size: number): number => {
    let best = -1;
    let bestAt = from;
    let running = 0;
    for (let i = from; i < to; i++) {
      running += sums[i];
      if (i - from >= size) running -= sums[i - size];
      if (i - from >= size - 1 && running > best) {
        best = running;
        bestAt = i - size + 1;
      }
    }
    return bestAt;
  };
  const rowInk = new Float64Array(small.height);
  for (let y = cy0; y < cy1; y++) for (let x = cx0; x < cx1; x++) rowInk[y] += textMask[y * small.width + x];
  const top = bestStart(rowInk, cy0, cy1, h);
  const colInk = new Float64Array(small.width);
  for (let y = top; y < top + h; y++) for (let x = cx0; x < cx1; x++) colInk[x] += textMask[y * small.width + x];
  const left = bestStart(colInk, cx0, cx1, w);
  const rect: Rect = [left * factor, top * factor, (left + w) * factor, (top + h) * factor];
  // Table borders make a block reading of the sample unsure at every turn; remove them at full size too.
  const sample = cropImage(image, rect, 10);
  await pause();
  const thick = Math.max(8, Math.round((image.dpi ?? 300) / 25));
  const clean = eraseRulings(sample, findRulings(binarize(sample), sample.width, sample.height, { minLength: 60, maxThickness: thick }));
  // Text at 300 dpi is 40+ px tall: half size reads as well and twice as fast.
  const large = (image.dpi ?? 0) >= 250 || (image.dpi === null && Math.max(image.width, image.height) > 2400);
  return large ? downscale(clean, 2) : clean;
}

export interface RotationOptions {
  language?: OcrLanguage;
  /** Accept the upright reading without trying other turns when its score per sampled character is this sure. */
  earlyAcceptScore?: number;
}

/** Text read with high confidence as it lies: the page is upright (a turned page reads as noise). */
export function readsUpright(result: OcrResult, options: RotationOptions = {}): boolean {
  return result.confidence >= 70 && readingScore(result) >= (options.earlyAcceptScore ?? 20);
}

export async function detectRotation(image: GreyImage, pool: TesseractPool, options: RotationOptions = {}): Promise<RotationDetection> {
  const sample = await orientationSample(image);
  if (sample === null) return { rotation: 0, scores: {} };
  const scores: Partial<Record<QuarterTurn, number>> = {};
  const read = async (turn: QuarterTurn): Promise<{ score: number; result: OcrResult }> => {
    const result = await pool.recognize(rotateQuarter(sample, turn), { language: options.language, psm: '6' });
    const score = readingScore(result);
    scores[turn] = score;
    return { score, result };
  };
  const upright = await read(0);
  // Upright text read with high confidence: other turns read as noise, so skip them.
  if (readsUpright(upright.result, options)) return { rotation: 0, scores };
  // Remaining turns run concurrently on however many workers the pool has.
  await Promise.all(([180, 90, 270] as const).map((turn) => read(turn)));
  let rotation: QuarterTurn = 0;
  for (const turn of [0, 180, 90, 270] as const) if ((scores[turn] ?? 0) > (scores[rotation] ?? 0) * 1.15) rotation = turn;
  return { rotation, scores };
}

export interface SkewOptions {
  maxDegrees?: number;
  /** Final resolution of the search (degrees). */
  precision?: number;
}

/**
 * Estimates the page's skew in degrees (positive = content turned clockwise). Works on a downscaled
 * binary image; about 50–150 ms for a 300-dpi A4 page.
 */
export function detectSkew(image: GreyImage, options: SkewOptions = {}): number {
  const maxDegrees = options.maxDegrees ?? 4;
  const precision = options.precision ?? 0.05;
  const factor = Math.max(1, Math.floor(Math.max(image.width, image.height) / 1400));
  const small = downscale(image, factor);
  // Threshold after downscaling: thin lines get lighter, so use the small image's own histogram.
  const mask = binarize(small, otsuThreshold(small));
  let inkPixels = 0;
  for (let i = 0; i < mask.length; i++) inkPixels += mask[i];
  if (inkPixels < 200) return 0;
  // Subsample very inky pages (every step-th ink pixel); the profile shape survives.
  const step = Math.max(1, Math.floor(inkPixels / 150_000));
  const xs = new Float32Array(Math.ceil(inkPixels / step));
  const ys = new Float32Array(xs.length);
  let points = 0;
  let seen = 0;
  for (let y = 0; y < small.height; y++) {
    const row = y * small.width;
    for (let x = 0; x < small.width; x++) {
      if (mask[row + x] === 1 && seen++ % step === 0) {
        xs[points] = x - small.width / 2;
        ys[points] = y;
        points++;
      }
    }
  }
  const margin = Math.ceil(small.width * Math.tan((maxDegrees * Math.PI) / 180)) + 2;
  // Each point's bin before the shift, with the margin and rounding's half added once: the score runs ~45 times.
  const binBase = new Float64Array(points);
  for (let i = 0; i < points; i++) binBase[i] = ys[i] + margin + 0.5;
  const bins = new Int32Array(small.height + 2 * margin);
  const score = (degrees: number): number => {
    bins.fill(0);
    const slope = Math.tan((degrees * Math.PI) / 180);
    // A line tilted clockwise by `degrees` descends to the right: y = y0 + x·tan. Undo that shift (never below 0: the margin covers it).
    for (let i = 0; i < points; i++) bins[(binBase[i] - xs[i] * slope) | 0]++;
    let sum = 0;
    for (let i = 0; i < bins.length; i++) sum += bins[i] * bins[i];
    return sum;
  };
  let best = 0;
  let bestScore = score(0);
  const search = (from: number, to: number, stepDegrees: number): void => {
    for (let a = from; a <= to + 1e-9; a += stepDegrees) {
      const s = score(a);
      if (s > bestScore) {
        bestScore = s;
        best = a;
      }
    }
  };
  search(-maxDegrees, maxDegrees, 0.25);
  const coarse = best;
  search(coarse - 0.25, coarse + 0.25, precision);
  const rounded = Math.round(best / precision) * precision;
  return Math.abs(rounded) < precision / 2 ? 0 : Number(rounded.toFixed(3));
}

/**
 * Rotates by an arbitrary angle (clockwise degrees) around the centre, keeping the image size and
 * filling uncovered corners with white. Runs in libvips's thread pool, off the event loop.
 */
export async function rotateImage(image: GreyImage, degrees: number): Promise<GreyImage> {
  if (degrees === 0) return image;
  if (degrees % 90 === 0) return rotateQuarter(image, degrees);
  const rotated = await viaLibvips(image, (pipeline) => pipeline.rotate(degrees, { background: { r: 255, g: 255, b: 255 } }));
  const left = Math.max(0, Math.floor((rotated.width - image.width) / 2));
  const top = Math.max(0, Math.floor((rotated.height - image.height) / 2));
  return cropImage(rotated, [left, top, left + image.width, top + image.height]);
}

/**
 * A libvips operation on a grey page, run in libvips's thread pool. sharp would write the one-channel input back
 * out as RGB (three times the bytes, and a copy back here): the output is asked for as 'b-w'.
 */
export async function viaLibvips(image: GreyImage, operate: (pipeline: Sharp) => Sharp): Promise<GreyImage> {
  const { data, info } = await operate(sharp(image.data, { raw: { width: image.width, height: image.height, channels: 1 } }))
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: singleChannel(data, info.width, info.height, info.channels), dpi: image.dpi };
}

/** The first channel of an image sharp decoded with more than one. */
export function singleChannel(data: Uint8Array, width: number, height: number, channels: number): Uint8Array {
  if (channels === 1) return new Uint8Array(data.buffer, data.byteOffset, width * height);
  const out = new Uint8Array(width * height);
  for (let i = 0, j = 0; i < out.length; i++, j += channels) out[i] = data[j];
  return out;
}

export interface OrientationResult {
  image: GreyImage;
  rotation: QuarterTurn;
  skewDegrees: number;
}

export interface OrientationOptions extends RotationOptions {
  detectRotation?: boolean;
  deskew?: boolean;
  maxSkewDegrees?: number;
}

/**
 * Turns the page by `rotation` and levels it. Skew reads the same at 0° and 180°, so it is measured on the page as
 * it lies; a sideways page's lines only show once it is turned, so it is measured after the turn.
 */
export async function levelAndTurn(image: GreyImage, rotation: QuarterTurn, options: OrientationOptions = {}): Promise<OrientationResult> {
  const sideways = rotation === 90 || rotation === 270;
  let current = sideways ? rotateQuarter(image, rotation) : image;
  let skewDegrees = 0;
  if (options.deskew ?? true) {
    skewDegrees = detectSkew(current, { maxDegrees: options.maxSkewDegrees });
    await pause();
    if (skewDegrees !== 0) current = await rotateImage(current, -skewDegrees);
    await pause();
  }
  if (!sideways && rotation !== 0) current = rotateQuarter(current, rotation);
  return { image: current, rotation, skewDegrees };
}
