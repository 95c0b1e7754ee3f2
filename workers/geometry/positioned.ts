/**
 * Positioned text, as every source that knows where its characters sit hands it over: the PDF text
 * layer (pdf.js text items and vector paths), OFD text objects and paths, OCR words. Coordinates are
 * the source's own units with y growing downwards; only ratios to the text height matter downstream.
 */
import type { Rect, Rulings } from './grid';

/** A run of text on one baseline: a pdf.js text item, an OFD TextCode, an OCR word. */
export interface PositionedText {
  text: string;
  /** [x0, y0, x1, y1]: y0 the top of the glyphs, y1 their bottom. */
  box: Rect;
}

export interface PositionedPage {
  width: number;
  height: number;
  items: PositionedText[];
  /** Table borders from vector paths (or, for scans, from the image). */
  rulings: Rulings;
}
