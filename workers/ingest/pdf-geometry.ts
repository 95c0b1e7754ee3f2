/**
 * A PDF page as positioned text: pdf.js text items with their boxes, and the table borders among the
 * page's vector paths (stroked lines and rectangles, and thin filled rectangles, which is how word
 * processors and browsers draw cell borders). Coordinates are the page's viewport in points, y down.
 */
import type { Ruling, Rulings } from '../geometry/grid';
import { apply, multiply, type Matrix } from '../geometry/matrix';
import type { PositionedPage, PositionedText } from '../geometry/positioned';
import { OPS, walkOperators, type OperatorList } from './pdf-operators';

/** pdf.js path drawing codes (DrawOPS), stable across versions. */
const DRAW = { moveTo: 0, lineTo: 1, curveTo: 2, closePath: 3 } as const;
const STROKES = new Set<number>([OPS.stroke, OPS.closeStroke, OPS.fillStroke, OPS.eoFillStroke, OPS.closeFillStroke, OPS.closeEOFillStroke]);
const FILLS = new Set<number>([OPS.fill, OPS.eoFill]);

/** A filled rectangle thinner than this (points) is a drawn line; a thicker one is a shaded area. */
const MAX_RULE_THICKNESS = 2.5;
/** Shorter strokes are glyph parts, underlines of a character or ticks, not cell borders. */
const MIN_RULE_LENGTH = 6;

export interface PdfTextItem {
  str: string;
  transform: number[];
  width: number;
  height: number;
}

export interface PdfViewport {
  width: number;
  height: number;
  transform: number[];
}

/** The page's text runs, positioned; no rulings yet (see pdfRulings: reading them is the costly part). */
export function pdfPageText(viewport: PdfViewport, items: PdfTextItem[]): PositionedPage {
  const toViewport = viewport.transform as Matrix;
  return { width: viewport.width, height: viewport.height, items: items.flatMap((item) => positionedItem(item, toViewport)), rulings: { horizontal: [], vertical: [] } };
}

/** The table borders among the page's painted paths, in viewport coordinates. */
export function pdfRulings(viewport: PdfViewport, operators: OperatorList): Rulings {
  return pathRulings(operators, viewport.transform as Matrix);
}

function positionedItem(item: PdfTextItem, toViewport: Matrix): PositionedText[] {
  if (item.str.trim() === '') return [];
  const m = multiply(toViewport, item.transform as Matrix);
  const size = Math.hypot(m[2], m[3]) || item.height;
  const [x, baseline] = [m[4], m[5]];
  // Upright text only runs along x; a rotated item keeps its extent along whichever axis it runs.
  const along = Math.abs(m[0]) >= Math.abs(m[1]);
  const width = item.width * (Math.hypot(m[0], m[1]) / (Math.hypot(item.transform[0], item.transform[1]) || 1));
  const box: PositionedText['box'] = along ? [x, baseline - size * 0.88, x + width, baseline + size * 0.12] : [x - size * 0.5, Math.min(baseline, baseline - width), x + size * 0.5, Math.max(baseline, baseline - width)];
  return [{ text: item.str, box }];
}

interface Segment {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  width: number;
}

/** The ruling-like segments of the page's painted paths. */
function pathRulings(operators: OperatorList, toViewport: Matrix): Rulings {
  const segments: Segment[] = [];
  walkOperators(operators, toViewport, (op, args, { ctm, lineWidth }) => {
    if (op === OPS.constructPath) segments.push(...paintedSegments(args, ctm, lineWidth));
  });
  return toRulings(segments);
}

/** pdf.js 5 hands a path as [paint op, [path data], bounds]; path data is DrawOPS codes with their points. */
function paintedSegments(args: unknown[], ctm: Matrix, lineWidth: number): Segment[] {
  const paint = Number(args[0]);
  const stroked = STROKES.has(paint);
  if (!stroked && !FILLS.has(paint)) return [];
  const data = (args[1] as ArrayLike<number>[] | undefined)?.[0];
  if (!data) return [];
  const scale = Math.sqrt(Math.abs(ctm[0] * ctm[3] - ctm[1] * ctm[2])) || 1;
  const polygons: Array<Array<[number, number]>> = [];
  let current: Array<[number, number]> = [];
  for (let i = 0; i < data.length; ) {
    const code = data[i++];
    if (code === DRAW.moveTo) {
      if (current.length) polygons.push(current);
      current = [apply(ctm, data[i], data[i + 1])];
      i += 2;
    } else if (code === DRAW.lineTo) {
      current.push(apply(ctm, data[i], data[i + 1]));
      i += 2;
    } else if (code === DRAW.curveTo) {
      // Curves are never cell borders; keep the end point so a following line starts right.
      current.push(apply(ctm, data[i + 4], data[i + 5]));
      current = [current[current.length - 1]];
      i += 6;
    } else if (code === DRAW.closePath) {
      if (current.length) current.push(current[0]);
    } else {
      break;
    }
  }
  if (current.length) polygons.push(current);
  return stroked ? polygons.flatMap((points) => strokeSegments(points, lineWidth * scale)) : polygons.flatMap(thinRectangle);
}

function strokeSegments(points: Array<[number, number]>, width: number): Segment[] {
  const segments: Segment[] = [];
  for (let i = 1; i < points.length; i++) {
    const [[x0, y0], [x1, y1]] = [points[i - 1], points[i]];
    segments.push({ x0, y0, x1, y1, width: Math.max(width, 0.1) });
  }
  return segments;
}

/** A filled rectangle drawn as a line: its long centre line, with its short side as the thickness. */
function thinRectangle(points: Array<[number, number]>): Segment[] {
  if (points.length < 4 || points.length > 6) return [];
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const [w, h] = [x1 - x0, y1 - y0];
  if (h <= MAX_RULE_THICKNESS && w > h) return [{ x0, y0: (y0 + y1) / 2, x1, y1: (y0 + y1) / 2, width: h }];
  if (w <= MAX_RULE_THICKNESS && h > w) return [{ x0: (x0 + x1) / 2, y0, x1: (x0 + x1) / 2, y1, width: w }];
  return [];
}

/** Axis-aligned segments long enough to be borders, as horizontal and vertical rulings. */
function toRulings(segments: Segment[]): Rulings {
  const horizontal: Ruling[] = [];
  const vertical: Ruling[] = [];
  for (const s of segments) {
    const [dx, dy] = [Math.abs(s.x1 - s.x0), Math.abs(s.y1 - s.y0)];
    if (dy <= 0.5 && dx >= MIN_RULE_LENGTH) horizontal.push({ pos: (s.y0 + s.y1) / 2, from: Math.min(s.x0, s.x1), to: Math.max(s.x0, s.x1), thickness: s.width });
    else if (dx <= 0.5 && dy >= MIN_RULE_LENGTH) vertical.push({ pos: (s.x0 + s.x1) / 2, from: Math.min(s.y0, s.y1), to: Math.max(s.y0, s.y1), thickness: s.width });
  }
  return { horizontal, vertical };
}
