/**
 * Greyscale page images as raw pixels, and the small pixel operations OCR needs (crop, quarter turns,
 * binarization, PGM wrapping for tesseract). Raw pixels travel between stages: PNG encoding dominated
 * rendering cost in measurements, so nothing here encodes or compresses.
 */
import type { Rect } from '../geometry/grid';

export type { Rect };

/** One byte per pixel, 0 = black, 255 = white, rows top to bottom without padding. */
export interface GreyImage {
  width: number;
  height: number;
  data: Uint8Array;
  /** Resolution of the image as scanned or rendered, when known. */
  dpi: number | null;
}

/**
 * How much of the red drop a pixel gets, by its luminance: none for dark ink (JPEG keeps luminance at
 * full resolution but smears the seal's red over neighbouring black strokes, which the drop would erase),
 * all of it from the luminance of red seal ink (about 75 and up).
 */
function redInkWeight(luma: number): number {
  return Math.min(1, Math.max(0, (luma - 40) / 30));
}

/**
 * Colour pixels (interleaved RGB or RGBA; alpha over white paper) to greyscale with red ink dropped: red
 * official seals stamped over table rows and signatures turn into paper, while black and blue ink stay
 * dark. Grey is the red channel (red ink is bright there, black and blue are dark) plus red's excess over
 * the brighter of green and blue: seals are semi-transparent and JPEG keeps their colour at half
 * resolution, so the red channel alone leaves them mid-grey (measured on a multiply-blended seal in a
 * q85 JPEG: luminance 110, red channel 171, this 240; black digits under the seal 10, 21, 36; blue ink
 * 66, 37, 37). Dark pixels keep their luminance (`redInkWeight`). Neutral pixels (R = G = B) keep their
 * value. One- and two-channel input is grey already and passes through unchanged (alpha over white).
 */
export function dropRedInk(pixels: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: number): Uint8Array {
  if (channels === 1) return new Uint8Array(pixels.subarray(0, width * height));
  const out = new Uint8Array(width * height);
  const hasAlpha = channels === 2 || channels === 4;
  for (let i = 0, j = 0; i < out.length; i++, j += channels) {
    let grey: number;
    if (channels < 3) grey = pixels[j];
    else {
      const red = pixels[j];
      const luma = 0.299 * red + 0.587 * pixels[j + 1] + 0.114 * pixels[j + 2];
      const dropped = Math.min(255, red + Math.max(0, red - Math.max(pixels[j + 1], pixels[j + 2])));
      grey = Math.round(luma + redInkWeight(luma) * (dropped - luma));
    }
    out[i] = hasAlpha ? Math.round(255 - ((255 - grey) * pixels[j + channels - 1]) / 255) : grey;
  }
  return out;
}

export function blankImage(width: number, height: number, dpi: number | null = null): GreyImage {
  return { width, height, data: new Uint8Array(width * height).fill(255), dpi };
}

/**
 * Wraps pixels as binary PGM (P5): tesseract's Leptonica reads it directly, and building it is a header
 * plus one copy, unlike PNG.
 */
export function toPgm(image: GreyImage): Buffer {
  const header = Buffer.from(`P5\n${image.width} ${image.height}\n255\n`, 'latin1');
  const out = Buffer.allocUnsafe(header.length + image.data.length);
  header.copy(out, 0);
  out.set(image.data, header.length);
  return out;
}

export function clampRect(rect: Rect, width: number, height: number): Rect {
  const x0 = Math.max(0, Math.min(width, Math.round(rect[0])));
  const y0 = Math.max(0, Math.min(height, Math.round(rect[1])));
  const x1 = Math.max(x0, Math.min(width, Math.round(rect[2])));
  const y1 = Math.max(y0, Math.min(height, Math.round(rect[3])));
  return [x0, y0, x1, y1];
}

/** Copies a rectangle out of the image, with `pad` white pixels around it (tesseract reads better with a margin). */
export function cropImage(image: GreyImage, rect: Rect, pad = 0): GreyImage {
  const [x0, y0, x1, y1] = clampRect(rect, image.width, image.height);
  const w = x1 - x0;
  const h = y1 - y0;
  const out = blankImage(w + 2 * pad, h + 2 * pad, image.dpi);
  for (let y = 0; y < h; y++) {
    const from = (y0 + y) * image.width + x0;
    out.data.set(image.data.subarray(from, from + w), (y + pad) * out.width + pad);
  }
  return out;
}

/** Paints rectangles white (to hide tables from a whole-page read). */
export function whiteOut(image: GreyImage, rects: Rect[]): GreyImage {
  const data = new Uint8Array(image.data);
  for (const rect of rects) {
    const [x0, y0, x1, y1] = clampRect(rect, image.width, image.height);
    for (let y = y0; y < y1; y++) data.fill(255, y * image.width + x0, y * image.width + x1);
  }
  return { ...image, data };
}

/** Rotates by a multiple of 90° clockwise. */
export function rotateQuarter(image: GreyImage, degrees: number): GreyImage {
  const turns = (((Math.round(degrees / 90) % 4) + 4) % 4) as 0 | 1 | 2 | 3;
  if (turns === 0) return image;
  const { width: w, height: h, data } = image;
  if (turns === 2) {
    const out = new Uint8Array(w * h);
    for (let i = 0, n = w * h; i < n; i++) out[n - 1 - i] = data[i];
    return { ...image, data: out };
  }
  const out = new Uint8Array(w * h);
  // New image is h wide and w high.
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      // 90° clockwise: (x, y) → (h-1-y, x); 270°: (x, y) → (y, w-1-x).
      const index = turns === 1 ? x * h + (h - 1 - y) : (w - 1 - x) * h + y;
      out[index] = data[row + x];
    }
  }
  return { width: h, height: w, data: out, dpi: image.dpi };
}

/** Box-filter downscale by an integer factor (fast, enough for layout analysis). */
export function downscale(image: GreyImage, factor: number): GreyImage {
  const f = Math.max(1, Math.floor(factor));
  if (f === 1) return image;
  const w = Math.floor(image.width / f);
  const h = Math.floor(image.height / f);
  const out = new Uint8Array(w * h);
  const sums = new Uint32Array(w);
  const area = f * f;
  const { data } = image;
  for (let y = 0; y < h; y++) {
    sums.fill(0);
    for (let dy = 0; dy < f; dy++) {
      let at = (y * f + dy) * image.width;
      for (let x = 0; x < w; x++) {
        let sum = 0;
        for (let dx = 0; dx < f; dx++) sum += data[at++];
        sums[x] += sum;
      }
    }
    const row = y * w;
    // Math.round(sum / area) in integers: in Jest's sandbox Math.round is a slow call (halving a page took 850 ms, 35 ms without).
    for (let x = 0; x < w; x++) out[row + x] = ((2 * sums[x] + area) / (2 * area)) | 0;
  }
  return { width: w, height: h, data: out, dpi: image.dpi === null ? null : image.dpi / f };
}

/** Bilinear resize (small crops: plain JavaScript, no round trip through libvips). */
export function resizeBilinear(image: GreyImage, scale: number): GreyImage {
  const out = blankImage(Math.max(1, Math.round(image.width * scale)), Math.max(1, Math.round(image.height * scale)), image.dpi === null ? null : Math.round(image.dpi * scale));
  for (let y = 0; y < out.height; y++) {
    const sy = Math.min(image.height - 1, Math.max(0, (y + 0.5) / scale - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(image.height - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < out.width; x++) {
      const sx = Math.min(image.width - 1, Math.max(0, (x + 0.5) / scale - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(image.width - 1, x0 + 1);
      const fx = sx - x0;
      const top = image.data[y0 * image.width + x0] * (1 - fx) + image.data[y0 * image.width + x1] * fx;
      const bottom = image.data[y1 * image.width + x0] * (1 - fx) + image.data[y1 * image.width + x1] * fx;
      out.data[y * out.width + x] = Math.round(top * (1 - fy) + bottom * fy);
    }
  }
  return out;
}

/** Otsu's threshold over the grey histogram; pixels below it are ink. */
export function otsuThreshold(image: GreyImage): number {
  const histogram = new Float64Array(256);
  const { data } = image;
  // Sampling every 3rd pixel is plenty for a histogram and keeps this cheap on 9-megapixel pages.
  for (let i = 0; i < data.length; i += 3) histogram[data[i]]++;
  let total = 0;
  let sumAll = 0;
  for (let v = 0; v < 256; v++) {
    total += histogram[v];
    sumAll += v * histogram[v];
  }
  let sumBelow = 0;
  let weightBelow = 0;
  let best = 128;
  let bestVariance = -1;
  for (let t = 0; t < 256; t++) {
    weightBelow += histogram[t];
    if (weightBelow === 0) continue;
    const weightAbove = total - weightBelow;
    if (weightAbove === 0) break;
    sumBelow += t * histogram[t];
    const meanBelow = sumBelow / weightBelow;
    const meanAbove = (sumAll - sumBelow) / weightAbove;
    const variance = weightBelow * weightAbove * (meanBelow - meanAbove) ** 2;
    if (variance > bestVariance) {
      bestVariance = variance;
      best = t;
    }
  }
  // A blank page has one mode; never call mid-grey paper ink.
  return Math.min(best + 1, 200);
}

/** Ink under about 0.6 mm both ways (pixels at `dpi`) is dust, not a stroke: a dash is long, a dot is part of a character. */
export function dustSize(dpi: number | null): number {
  return Math.max(5, Math.round((dpi ?? 200) * 0.025));
}

/** 1 = ink, 0 = paper. */
export function binarize(image: GreyImage, threshold = otsuThreshold(image)): Uint8Array {
  const out = new Uint8Array(image.width * image.height);
  const { data } = image;
  for (let i = 0; i < data.length; i++) out[i] = data[i] < threshold ? 1 : 0;
  return out;
}

/** Bounding box of ink inside `rect` of a binary mask, or null when the area is empty (ignores specks below minPixels). */
export function inkBox(mask: Uint8Array, width: number, rect: Rect, minPixels = 6): { box: Rect; pixels: number } | null {
  const [x0, y0, x1, y1] = rect;
  let bx0 = Infinity;
  let by0 = Infinity;
  let bx1 = -Infinity;
  let by1 = -Infinity;
  let pixels = 0;
  for (let y = y0; y < y1; y++) {
    const row = y * width;
    for (let x = x0; x < x1; x++) {
      if (mask[row + x] === 0) continue;
      pixels++;
      if (x < bx0) bx0 = x;
      if (x > bx1) bx1 = x;
      if (y < by0) by0 = y;
      if (y > by1) by1 = y;
    }
  }
  if (pixels < minPixels) return null;
  return { box: [bx0, by0, bx1 + 1, by1 + 1], pixels };
}

/** The stretches of row `y` outside every rect, as [from, to) pairs (tables are a few rects, so no page-size mask). */
export function openSpans(y: number, width: number, rects: Rect[]): Array<[number, number]> {
  const closed = rects.filter((rect) => y >= rect[1] && y < rect[3]).sort((a, b) => a[0] - b[0]);
  const spans: Array<[number, number]> = [];
  let from = 0;
  for (const [x0, , x1] of closed) {
    if (x0 > from) spans.push([from, x0]);
    from = Math.max(from, x1);
  }
  if (from < width) spans.push([from, width]);
  return spans;
}

/** The box [x0, y0, x1, y1] (inclusive) and pixel count of a region `growRegion` grew. */
export interface GrownRegion {
  box: Rect;
  area: number;
}

/**
 * Grows an 8-connected region over a `width` × `height` grid from the first `count` pixels of `stack` (indices
 * y × width + x, already marked by the caller): each neighbour `takes` accepts (and marks, so it is taken once) is
 * added. `stack` must hold every pixel the region can reach. Null when `count` is 0.
 */
export function growRegion(width: number, height: number, stack: Int32Array, count: number, takes: (index: number, x: number, y: number) => boolean): GrownRegion | null {
  if (count === 0) return null;
  let top = count;
  let area = 0;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  while (top > 0) {
    const j = stack[--top];
    const x = j % width;
    const y = (j - x) / width;
    area++;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
    const toY = y < height - 1 ? y + 1 : y;
    const fromX = x > 0 ? x - 1 : 0;
    const toX = x < width - 1 ? x + 1 : x;
    for (let ny = y > 0 ? y - 1 : 0; ny <= toY; ny++) {
      for (let nx = fromX; nx <= toX; nx++) {
        const k = ny * width + nx;
        if (takes(k, nx, ny)) stack[top++] = k;
      }
    }
  }
  return { box: [x0, y0, x1, y1], area };
}
