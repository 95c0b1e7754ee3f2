/**
 * Pixel work for the scan fixtures, in plain TypeScript so the output depends on nothing but the
 * seed: greyscale images (8-bit, 0 = black, 255 = white) read from pdftoppm's PGM, skewed,
 * noised, turned, and written back as PGM (grey) or PBM (bilevel).
 */

export interface GreyImage {
  width: number;
  height: number;
  /** Row-major, one byte per pixel. */
  data: Uint8Array;
}

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

/** Reads a binary PGM (P5, maxval 255) as written by `pdftoppm -gray`. */
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
  if (magic !== 'P5' || maxval !== 255) throw new Error(`not an 8-bit binary PGM (${magic}, maxval ${maxval})`);
  return { width, height, data: new Uint8Array(file.subarray(offset, offset + width * height)) };
}

export function writePgm(image: GreyImage): Buffer {
  return Buffer.concat([Buffer.from(`P5\n${image.width} ${image.height}\n255\n`, 'ascii'), Buffer.from(image.data)]);
}

/** Bilevel PBM (P4): a pixel darker than `threshold` is black. */
export function writePbm(image: GreyImage, threshold: number): Buffer {
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
  const out = new Uint8Array(width * height).fill(255);
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
      const i = y0 * width + x0;
      const top = data[i] + (data[i + 1] - data[i]) * fx;
      const bottom = data[i + width] + (data[i + width + 1] - data[i + width]) * fx;
      out[y * width + x] = Math.round(top + (bottom - top) * fy);
    }
  }
  return { width, height, data: out };
}

export interface NoiseOptions {
  /** Standard deviation of per-pixel Gaussian noise, in grey levels. */
  sigma: number;
  /** Dark specks (dust) per million pixels; each a 1–3 px square. */
  specksPerMegapixel: number;
  /** Extra grey added to the white paper (a scanner's off-white), 0 for none. */
  paperGrey: number;
}

export function addNoise(image: GreyImage, random: () => number, options: NoiseOptions): GreyImage {
  const { width, height } = image;
  const data = new Uint8Array(image.data);
  const normal = gaussian(random);
  for (let i = 0; i < data.length; i += 1) {
    const value = data[i] - options.paperGrey * (data[i] / 255) + options.sigma * normal();
    data[i] = value < 0 ? 0 : value > 255 ? 255 : Math.round(value);
  }
  const specks = Math.round((width * height * options.specksPerMegapixel) / 1e6);
  for (let n = 0; n < specks; n += 1) {
    const size = 1 + Math.floor(random() * 3);
    const x0 = Math.floor(random() * (width - size));
    const y0 = Math.floor(random() * (height - size));
    const shade = Math.floor(random() * 96);
    for (let y = y0; y < y0 + size; y += 1) for (let x = x0; x < x0 + size; x += 1) data[y * width + x] = shade;
  }
  return { width, height, data };
}

/** Turns the image clockwise by `quarterTurns` × 90° (a page fed into the scanner sideways). */
export function turn(image: GreyImage, quarterTurns: 0 | 1 | 2 | 3): GreyImage {
  const { width, height, data } = image;
  if (quarterTurns === 0) return image;
  if (quarterTurns === 2) return { width, height, data: new Uint8Array(data).reverse() };
  const out = new Uint8Array(width * height);
  // Output is height × width.
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const value = data[y * width + x];
      // clockwise: (x, y) → (height-1-y, x); counter-clockwise: (x, y) → (y, width-1-x)
      const index = quarterTurns === 1 ? x * height + (height - 1 - y) : (width - 1 - x) * height + y;
      out[index] = value;
    }
  }
  return { width: height, height: width, data: out };
}
