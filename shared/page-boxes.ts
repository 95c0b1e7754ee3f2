/**
 * Where the characters of a page's extracted text were printed, kept per page at ingest (pages.line_boxes)
 * so the source view can draw a value's box on the page without reading the file again. Boxes are in
 * the page's own units (PDF points, OFD pages converted to points), y downwards, with the page size,
 * so they map onto a rendering of the page at any scale.
 */

/** [x0, y0, x1, y1]. */
export type Box = [number, number, number, number];

/** A piece of a text line and where it was printed; null for a separator the layout added (tab, space). */
export interface TextRun {
  text: string;
  box: Box | null;
}

export interface PageBoxes {
  width: number;
  height: number;
  /**
   * Per line of the page text, its printed runs as a flat list of 6-tuples
   * [start, end, x0, y0, x1, y1]: start and end are offsets within the line.
   */
  lines: number[][];
}

/** A tenth of a point is far finer than any glyph; rounding keeps the stored lists short. */
const round = (value: number): number => Math.round(value * 10) / 10;

export function encodeLineBoxes(runs: TextRun[]): number[] {
  const encoded: number[] = [];
  let offset = 0;
  for (const run of runs) {
    if (run.box) encoded.push(offset, offset + run.text.length, ...run.box.map(round));
    offset += run.text.length;
  }
  return encoded;
}

/** Full-width characters (CJK, full-width forms) take a whole em; Latin letters, digits and punctuation about half. */
function characterWidth(character: string): number {
  return /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/u.test(character) ? 1 : 0.5;
}

/**
 * The box of characters [from, to) of a run printed in `box`, estimated from the characters' widths
 * along the run's direction (along x for horizontal text, along y for a vertical run).
 */
export function sliceBox(text: string, box: Box, from: number, to: number): Box {
  if (from <= 0 && to >= text.length) return box;
  // Per UTF-16 unit, as offsets count: the two halves of a character beyond the BMP are half an em each.
  const unitWidths = [...text].flatMap((character) => (character.length === 1 ? [characterWidth(character)] : [0.5, 0.5]));
  const total = unitWidths.reduce((sum, width) => sum + width, 0) || 1;
  const before = unitWidths.slice(0, Math.max(0, from)).reduce((sum, width) => sum + width, 0) / total;
  const through = unitWidths.slice(0, Math.min(text.length, to)).reduce((sum, width) => sum + width, 0) / total;
  const [x0, y0, x1, y1] = box;
  if (x1 - x0 >= y1 - y0) return [x0 + before * (x1 - x0), y0, x0 + through * (x1 - x0), y1];
  return [x0, y0 + before * (y1 - y0), x1, y0 + through * (y1 - y0)];
}

/**
 * The box around characters [start, end) of the page text (offsets within the whole page, as provenance
 * gives them), on line `line`; null when no recorded run covers them.
 */
export function rangeBox(pageText: string, boxes: PageBoxes, line: number, start: number, end: number): Box | null {
  const lines = pageText.split('\n');
  const lineText = lines[line];
  const segments = boxes.lines[line];
  if (lineText === undefined || !segments) return null;
  const lineStart = lines.slice(0, line).reduce((sum, text) => sum + text.length + 1, 0);
  const from = Math.max(0, start - lineStart);
  const to = Math.min(lineText.length, end - lineStart);
  let union: Box | null = null;
  for (let i = 0; i + 5 < segments.length; i += 6) {
    const [segmentStart, segmentEnd] = [segments[i], segments[i + 1]];
    if (segmentEnd <= from || segmentStart >= to) continue;
    const box = sliceBox(lineText.slice(segmentStart, segmentEnd), segments.slice(i + 2, i + 6) as Box, from - segmentStart, to - segmentStart);
    union = union ? [Math.min(union[0], box[0]), Math.min(union[1], box[1]), Math.max(union[2], box[2]), Math.max(union[3], box[3])] : box;
  }
  return union;
}

/** A box as fractions of the page's width and height, for drawing it over a rendering of any size. */
export function relativeBox(box: Box, width: number, height: number): Box {
  return [box[0] / width, box[1] / height, box[2] / width, box[3] / height];
}

/**
 * An OCR box on the page as scanned, turned upright only: OCR read the page levelled (turned by
 * -skewDegrees about its centre, at the same size), so the box's corners turn back by +skewDegrees
 * (clockwise, in pixels with y downwards) and the box around them is returned.
 */
export function scannedBox(box: Box, page: { width: number; height: number; skewDegrees: number }): Box {
  const radians = (page.skewDegrees * Math.PI) / 180;
  const [cx, cy] = [page.width / 2, page.height / 2];
  const corners = [
    [box[0], box[1]],
    [box[2], box[1]],
    [box[0], box[3]],
    [box[2], box[3]],
  ].map(([x, y]) => [cx + (x - cx) * Math.cos(radians) - (y - cy) * Math.sin(radians), cy + (x - cx) * Math.sin(radians) + (y - cy) * Math.cos(radians)]);
  const xs = corners.map(([x]) => x);
  const ys = corners.map(([, y]) => y);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}
