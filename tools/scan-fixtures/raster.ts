/**
 * Pixel work for the scan fixtures and the generated scan corpus, in plain TypeScript so the output
 * depends on nothing but the seed: 8-bit images (0 = black, 255 = white), greyscale from pdftoppm's
 * PGM or colour from its PPM, skewed, noised, blurred, lit unevenly, turned, and written back as
 * PGM/PPM or PBM (bilevel).
 */

export interface GreyImage {
  width: number;
  height: number;
  /** Row-major, `channels` bytes per pixel (RGB interleaved when 3). */
  data: Uint8Array;
  /** 1 (grey) when absent; 3 for colour. */
  channels?: 1 | 3;
}

const channelsOf = (image: GreyImage): 1 | 3 => image.channels ?? 1;

/** mulberry32: a small, fast, seedable PRNG; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviates from a uniform source (Box–Muller, both values used). */
function gaussian(random: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    const u = Math.max(random(), 1e-12);
    const v = random();
    const radius = Math.sqrt(-2 * Math.log(u));
    spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  };
}

/** Reads a binary PGM (P5, maxval 255) as written by `pdftoppm -gray`, or a PPM (P6) as written by `pdftoppm` in colour. */
export function readPgm(file: Buffer): GreyImage {
  let offset = 0;
  const fields: string[] = [];
  while (fields.length < 4) {
    while (offset < file.length && /\s/.test(String.fromCharCode(file[offset]))) offset += 1;
    if (file[offset] === 0x23) {
      while (offset < file.length && file[offset] !== 0x0a) offset += 1;
      continue;
    }
    let field = '';
    while (offset < file.length && !/\s/.test(String.fromCharCode(file[offset]))) field += String.fromCharCode(file[offset++]);
    fields.push(field);
  }
  offset += 1; // the single whitespace after maxval
  const [magic, width, height, maxval] = [fields[0], Number(fields[1]), Number(fields[2]), Number(fields[3])];
  if ((magic !== 'P5' && magic !== 'P6') || maxval !== 255) throw new Error(`not an 8-bit binary PGM or PPM (${magic}, maxval ${maxval})`);
  if (magic === 'P6') return { width, height, channels: 3, data: new Uint8Array(file.subarray(offset, offset + width * height * 3)) };
  return { width, height, data: new Uint8Array(file.subarray(offset, offset + width * height)) };
}

/** PGM for a grey image, PPM for a colour one. */
export function writePgm(image: GreyImage): Buffer {
  return Buffer.concat([Buffer.from(`${channelsOf(image) === 3 ? 'P6' : 'P5'}\n${image.width} ${image.height}\n255\n`, 'ascii'), Buffer.from(image.data)]);
}

/** The grey image of a colour one (ITU-R BT.601 luma), as a grey scanner sees the page. */
export function toGrey(image: GreyImage): GreyImage {
  if (channelsOf(image) === 1) return image;
  const { width, height, data } = image;
  const out = new Uint8Array(width * height);
  for (let i = 0, j = 0; i < out.length; i += 1, j += 3) out[i] = Math.round(0.299 * data[j] + 0.587 * data[j + 1] + 0.114 * data[j + 2]);
  return { width, height, data: out };
}

/** Bilevel PBM (P4): a pixel darker than `threshold` is black. */
export function writePbm(colourOrGrey: GreyImage, threshold: number): Buffer {
  const image = toGrey(colourOrGrey);
  const rowBytes = Math.ceil(image.width / 8);
  const bits = new Uint8Array(rowBytes * image.height);
  for (let y = 0; y < image.height; y += 1) {
    for (let x = 0; x < image.width; x += 1) {
      if (image.data[y * image.width + x] < threshold) bits[y * rowBytes + (x >> 3)] |= 0x80 >> (x & 7);
    }
  }
  return Buffer.concat([Buffer.from(`P4\n${image.width} ${image.height}\n`, 'ascii'), Buffer.from(bits)]);
}

/**
 * Rotates the page content by `degrees` (positive = counter-clockwise on screen) about the
 * centre, keeping the image size, filling uncovered corners with white; bilinear sampling.
 */
export function skew(image: GreyImage, degrees: number): GreyImage {
  const { width, height, data } = image;
  const channels = channelsOf(image);
  const out = new Uint8Array(width * height * channels).fill(255);
  const row = width * channels;
  const radians = (degrees * Math.PI) / 180;
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  for (let y = 0; y < height; y += 1) {
    const dy = y - cy;
    for (let x = 0; x < width; x += 1) {
      const dx = x - cx;
      // Inverse mapping: where in the source does this output pixel come from? (y grows downwards)
      const sx = cx + dx * cos - dy * sin;
      const sy = cy + dx * sin + dy * cos;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < 0 || y0 < 0 || x0 + 1 >= width || y0 + 1 >= height) continue;
      const fx = sx - x0;
      const fy = sy - y0;
      for (let c = 0; c < channels; c += 1) {
        const i = (y0 * width + x0) * channels + c;
        const top = data[i] + (data[i + channels] - data[i]) * fx;
        const bottom = data[i + row] + (data[i + row + channels] - data[i + row]) * fx;
        out[(y * width + x) * channels + c] = Math.round(top + (bottom - top) * fy);
      }
    }
  }
  return { ...image, data: out };
}

export interface NoiseOptions {
  /** Standard deviation of per-pixel Gaussian noise, in grey levels. */
  sigma: number;
  /** Dark specks (dust) per million pixels; each a 1–3 px square. */
  specksPerMegapixel: number;
  /** Extra grey added to the white paper (a scanner's off-white), 0 for none. */
  paperGrey: number;
}

/** Grain is one deviate per pixel, the same on each colour channel (a scanner's sensor noise is mostly luminance). */
export function addNoise(image: GreyImage, random: () => number, options: NoiseOptions): GreyImage {
  const { width, height } = image;
  const channels = channelsOf(image);
  const data = new Uint8Array(image.data);
  const normal = gaussian(random);
  for (let i = 0; i < data.length; i += channels) {
    const grain = options.sigma * normal();
    for (let c = i; c < i + channels; c += 1) {
      const value = data[c] - options.paperGrey * (data[c] / 255) + grain;
      data[c] = value < 0 ? 0 : value > 255 ? 255 : Math.round(value);
    }
  }
  const specks = Math.round((width * height * options.specksPerMegapixel) / 1e6);
  for (let n = 0; n < specks; n += 1) {
    const size = 1 + Math.floor(random() * 3);
    const x0 = Math.floor(random() * (width - size));
    const y0 = Math.floor(random() * (height - size));
    const shade = Math.floor(random() * 96);
    for (let y = y0; y < y0 + size; y += 1) for (let x = x0; x < x0 + size; x += 1) data.fill(shade, (y * width + x) * channels, (y * width + x + 1) * channels);
  }
  return { ...image, data };
}

/**
 * A slight blur, as from a scanner slightly out of focus: `passes` horizontal and vertical 3-tap
 * [1 2 1] / 4 filters (two passes ≈ a Gaussian of σ 1 px). Edges repeat their pixel.
 */
export function blur(image: GreyImage, passes: number): GreyImage {
  const { width, height } = image;
  const channels = channelsOf(image);
  let source = new Uint8Array(image.data);
  let target = new Uint8Array(source.length);
  const filter = (step: number, length: number, stride: number, lines: number, lineStride: number) => {
    for (let line = 0; line < lines; line += 1) {
      for (let c = 0; c < channels; c += 1) {
        const base = line * lineStride + c;
        for (let k = 0; k < length; k += 1) {
          const at = base + k * stride;
          const before = k > 0 ? source[at - step] : source[at];
          const after = k < length - 1 ? source[at + step] : source[at];
          target[at] = (before + 2 * source[at] + after + 2) >> 2;
        }
      }
    }
    [source, target] = [target, source];
  };
  for (let pass = 0; pass < passes; pass += 1) {
    filter(channels, width, channels, height, width * channels);
    filter(width * channels, height, width * channels, width, channels);
  }
  return { ...image, data: source };
}

/**
 * Uneven light, as on a phone photo or a photocopy: the page multiplied by a brightness that falls
 * linearly from 1 at one point to `1 - depth` across the page in the direction `angle` (radians),
 * plus a darker band `shadow` wide (share of the width) along the left edge (a book's gutter or a lid gap).
 */
export function unevenLight(image: GreyImage, options: { depth: number; angle: number; shadow: number }): GreyImage {
  const { width, height } = image;
  const channels = channelsOf(image);
  const data = new Uint8Array(image.data);
  const dx = Math.cos(options.angle);
  const dy = Math.sin(options.angle);
  const span = Math.abs(dx) * width + Math.abs(dy) * height;
  const origin = (dx < 0 ? width : 0) * dx + (dy < 0 ? height : 0) * dy;
  const shadowWidth = options.shadow * width;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      let light = 1 - (options.depth * (x * dx + y * dy - origin)) / span;
      if (x < shadowWidth) light *= 0.75 + 0.25 * (x / shadowWidth);
      for (let c = 0, i = (y * width + x) * channels; c < channels; c += 1, i += 1) data[i] = Math.round(data[i] * light);
    }
  }
  return { ...image, data };
}

/** Turns the image clockwise by `quarterTurns` × 90° (a page fed into the scanner sideways). */
export function turn(image: GreyImage, quarterTurns: 0 | 1 | 2 | 3): GreyImage {
  const { width, height, data } = image;
  const channels = channelsOf(image);
  if (quarterTurns === 0) return image;
  if (quarterTurns === 2 && channels === 1) return { width, height, data: new Uint8Array(data).reverse() };
  const out = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      // clockwise: (x, y) → (height-1-y, x) in a height × width image; counter-clockwise: (x, y) → (y, width-1-x); half: (width-1-x, height-1-y)
      const index = quarterTurns === 1 ? x * height + (height - 1 - y) : quarterTurns === 3 ? (width - 1 - x) * height + y : (height - 1 - y) * width + (width - 1 - x);
      for (let c = 0; c < channels; c += 1) out[index * channels + c] = data[(y * width + x) * channels + c];
    }
  }
  return quarterTurns === 2 ? { ...image, data: out } : { ...image, width: height, height: width, data: out };
}
