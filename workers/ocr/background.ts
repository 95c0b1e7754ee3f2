/**
 * Even paper. A phone photo or a photocopy lights the page unevenly (a grey corner, a shadow band),
 * and shaded header cells print grey: one global threshold then calls paper ink in one place and ink
 * paper in another. Dividing every pixel by the paper's local brightness makes the paper white
 * everywhere and leaves the ink as dark as it was against its own paper.
 */
import type { GreyImage } from './image';

/** Paper is what most of a tile is: the tile's 80th brightness percentile (text covers far less). */
const PAPER_PERCENTILE = 0.8;

/** Local paper brightness per tile of about 6 mm, smoothed, and never darker than half the page's paper. */
function paperLevels(image: GreyImage, tile: number): { levels: Float32Array; columns: number; rows: number } {
  const columns = Math.ceil(image.width / tile);
  const rows = Math.ceil(image.height / tile);
  const levels = new Float32Array(columns * rows);
  const histogram = new Uint32Array(256);
  for (let ty = 0; ty < rows; ty++) {
    for (let tx = 0; tx < columns; tx++) {
      histogram.fill(0);
      let count = 0;
      const y1 = Math.min(image.height, (ty + 1) * tile);
      const x1 = Math.min(image.width, (tx + 1) * tile);
      for (let y = ty * tile; y < y1; y += 2) {
        const row = y * image.width;
        for (let x = tx * tile; x < x1; x += 2) {
          histogram[image.data[row + x]]++;
          count++;
        }
      }
      let below = 0;
      let level = 255;
      for (let value = 0; value < 256; value++) {
        below += histogram[value];
        if (below >= PAPER_PERCENTILE * count) {
          level = value;
          break;
        }
      }
      levels[ty * columns + tx] = level;
    }
  }
  // A tile filled with a picture or a black bar is not paper: take the median of it and its neighbours, then smooth.
  const spread = new Float32Array(levels.length);
  const smooth = new Float32Array(levels.length);
  const around = (source: Float32Array, tx: number, ty: number, combine: (values: number[]) => number): number => {
    const values: number[] = [];
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const x = tx + dx;
      const y = ty + dy;
      if (x >= 0 && y >= 0 && x < columns && y < rows) values.push(source[y * columns + x]);
    }
    return combine(values);
  };
  for (let ty = 0; ty < rows; ty++) for (let tx = 0; tx < columns; tx++) spread[ty * columns + tx] = around(levels, tx, ty, (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]);
  const sorted = [...spread].sort((a, b) => a - b);
  const pagePaper = sorted[Math.floor(sorted.length / 2)] ?? 255;
  for (let ty = 0; ty < rows; ty++) {
    for (let tx = 0; tx < columns; tx++) {
      const mean = around(spread, tx, ty, (values) => values.reduce((sum, value) => sum + value, 0) / values.length);
      smooth[ty * columns + tx] = Math.max(mean, pagePaper / 2, 1);
    }
  }
  return { levels: smooth, columns, rows };
}

/** The page with its paper made evenly white (bilinear between tile levels). Ink keeps its contrast. */
export function flattenBackground(image: GreyImage): GreyImage {
  const tile = Math.max(16, Math.round((image.dpi ?? 300) / 4));
  const { levels, columns, rows } = paperLevels(image, tile);
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  const columnWeights = new Float32Array(width);
  const columnIndex = new Int32Array(width);
  for (let x = 0; x < width; x++) {
    const fx = Math.min(columns - 1, Math.max(0, (x + 0.5) / tile - 0.5));
    columnIndex[x] = Math.floor(fx);
    columnWeights[x] = fx - Math.floor(fx);
  }
  // Each row of tiles interpolated along x once: rows of pixels then only mix the two tile rows around them.
  const tileRows = Array.from({ length: rows }, (_, ty) => {
    const line = new Float64Array(width);
    for (let x = 0; x < width; x++) {
      const tx0 = columnIndex[x];
      const tx1 = Math.min(columns - 1, tx0 + 1);
      const wx = columnWeights[x];
      line[x] = levels[ty * columns + tx0] * (1 - wx) + levels[ty * columns + tx1] * wx;
    }
    return line;
  });
  for (let y = 0; y < height; y++) {
    const fy = Math.min(rows - 1, Math.max(0, (y + 0.5) / tile - 0.5));
    const ty0 = Math.floor(fy);
    const wy = fy - ty0;
    const top = tileRows[ty0];
    const bottom = tileRows[Math.min(rows - 1, ty0 + 1)];
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const value = (data[row + x] * 255) / (top[x] * (1 - wy) + bottom[x] * wy);
      out[row + x] = value >= 255 ? 255 : value | 0;
    }
  }
  return { ...image, data: out };
}
