/**
 * OFD (GB/T 33190, 版式文档) → page text. An OFD is a zip of XML: OFD.xml names the document root,
 * Document.xml lists the pages, and each page's Content.xml holds text objects (positioned runs of
 * Unicode text) and path objects (among them the table borders). Each page becomes a PositionedPage
 * and goes through the geometry layout like a PDF page, so tables come out as tab-separated rows.
 *
 * Only the XML parts are ever decompressed (fonts and images are left in the zip), and only as far as
 * their declared sizes: fflate inflates into a buffer of the declared size, so a part that claims to
 * be small cannot grow past it.
 */
import path from 'node:path/posix';
import { unzipSync } from 'fflate';
import { type Element, isTag } from 'domhandler';
import { PermanentError } from '../../shared/errors';
import type { ExtractedPage } from '../../shared/record';
import type { Rect, Ruling, Rulings } from '../geometry/grid';
import { layoutPage } from '../geometry/layout';
import { apply, IDENTITY, multiply, type Matrix } from '../geometry/matrix';
import type { PositionedPage, PositionedText } from '../geometry/positioned';
import { parseMarkup } from './markup';
import { checkZipExpansion, type ZipLimits } from './zip-limits';

export interface OfdLimits extends Partial<ZipLimits> {
  maxPages: number;
  /** XML nested deeper than this is refused before the recursive walks below. */
  maxNestingDepth?: number;
}

/** XML nesting in an OFD: pages hold blocks of objects a few levels deep. */
const DEFAULT_MAX_NESTING_DEPTH = 256;

/** All XML parts of one OFD together, decompressed; a report's run to a few megabytes. */
export const MAX_OFD_XML_BYTES = 256 * 1024 * 1024;
/** A part larger than this that compresses better than MAX_COMPRESSION_RATIO is a zip bomb, not XML. */
const RATIO_CHECKED_ABOVE_BYTES = 1024 * 1024;
export const MAX_COMPRESSION_RATIO = 200;

/** OFD measures in millimetres; the layout's tolerances are tuned on PDF points. */
const POINTS_PER_MM = 72 / 25.4;
/** GB/T 33190's default line width for paths, in mm. */
const DEFAULT_LINE_WIDTH = 0.353;
/** A filled rectangle thinner than this (mm) is drawn as a ruling. */
const RULE_MAX_THICKNESS = 1.5;
/** Segments within this (mm) of horizontal or vertical count as such. */
const AXIS_TOLERANCE = 0.2;
/** Within a TextCode, an advance this many font sizes wide is a gap between separate runs (cells). */
const RUN_GAP_EMS = 1.8;
/** A glyph's top lies this many font sizes above its baseline, its bottom this many below. */
const ASCENT_EMS = 0.88;
const DESCENT_EMS = 0.12;


const corrupt = (detail: string): PermanentError => new PermanentError('CORRUPT_FILE', `OFD 文件已损坏，无法读取（${detail}）。The OFD file is damaged: ${detail}.`);

const localName = (element: Element): string => element.name.slice(element.name.indexOf(':') + 1);

function children(element: Element, name: string): Element[] {
  return element.children.filter((child): child is Element => isTag(child) && localName(child) === name);
}

function descendant(root: Element, name: string): Element | undefined {
  for (const child of root.children) {
    if (!isTag(child)) continue;
    if (localName(child) === name) return child;
    const found = descendant(child, name);
    if (found) return found;
  }
  return undefined;
}

const textOf = (element: Element | undefined): string =>
  element ? element.children.map((child) => ('data' in child && typeof child.data === 'string' ? child.data : isTag(child) ? textOf(child) : '')).join('') : '';

const numbers = (value: string | undefined): number[] =>
  (value ?? '').trim() === '' ? [] : value!.trim().split(/[\s,]+/).map(Number).filter(Number.isFinite);

/** The zip's XML parts by normalised path, within the limits. */
function readXmlParts(bytes: Buffer, limits: ZipLimits): Map<string, Buffer> {
  checkZipExpansion(bytes, limits, { chinese: 'OFD 文件', english: 'OFD file' });
  let declaredTotal = 0;
  let parts: Record<string, Uint8Array>;
  try {
    parts = unzipSync(bytes, {
      filter: (entry) => {
        if (!/\.xml$/i.test(entry.name)) return false;
        declaredTotal += entry.originalSize;
        if (declaredTotal > MAX_OFD_XML_BYTES) {
          throw new PermanentError('TOO_LARGE', `OFD 文件解压后超过 ${MAX_OFD_XML_BYTES / 1024 / 1024} MB。The OFD's XML parts expand beyond ${MAX_OFD_XML_BYTES / 1024 / 1024} MB.`);
        }
        if (entry.originalSize > RATIO_CHECKED_ABOVE_BYTES && entry.originalSize > entry.size * MAX_COMPRESSION_RATIO) {
          throw new PermanentError(
            'TOO_LARGE',
            `OFD 文件中的 ${entry.name} 压缩比异常（${Math.round(entry.originalSize / Math.max(entry.size, 1))} 倍），疑为压缩炸弹。${entry.name} expands ${Math.round(entry.originalSize / Math.max(entry.size, 1))}-fold: a zip bomb, not a document.`,
          );
        }
        return true;
      },
    });
  } catch (error) {
    if (error instanceof PermanentError) throw error;
    throw corrupt(`not a readable zip: ${error instanceof Error ? error.message : String(error)}`);
  }
  return new Map(Object.entries(parts).map(([name, data]) => [normalisePartPath(name), Buffer.from(data)]));
}

const normalisePartPath = (name: string): string => path.normalize('/' + name.replace(/\\/g, '/')).slice(1);

/** A BaseLoc or DocRoot: absolute from the package root when it starts with '/', else relative to the part that names it. */
const resolvePart = (from: string, location: string): string =>
  normalisePartPath(location.trim().startsWith('/') ? location.trim() : path.join(path.dirname(from), location.trim()));

function xmlRoot(parts: Map<string, Buffer>, name: string, what: string, maxDepth: number): Element {
  const data = parts.get(name);
  if (!data) throw corrupt(`${what} (${name}) is missing`);
  const root = parseMarkup(data.toString('utf8'), { xmlMode: true, maxDepth, format: { chinese: 'OFD 文件', english: 'OFD file' } }).children.find(isTag);
  if (!root) throw corrupt(`${what} (${name}) is not XML`);
  return root;
}

/** Object space → page: the object's CTM, then its Boundary's origin (GB/T 33190 §8.1). */
function objectMatrix(element: Element): Matrix {
  const [x = 0, y = 0] = numbers(element.attribs.Boundary);
  const ctm = numbers(element.attribs.CTM);
  return multiply([1, 0, 0, 1, x, y], ctm.length === 6 ? (ctm as Matrix) : IDENTITY);
}

/** DeltaX as one advance per glyph gap, with its 'g count delta' runs expanded. */
function glyphAdvances(deltaX: string | undefined, glyphCount: number, nominal: (index: number) => number): number[] {
  const tokens = (deltaX ?? '').trim().split(/\s+/).filter((token) => token !== '');
  const advances: number[] = [];
  for (let index = 0; index < tokens.length; index++) {
    if (tokens[index] === 'g') {
      const count = Number(tokens[index + 1]);
      const delta = Number(tokens[index + 2]);
      for (let repeat = 0; repeat < count && advances.length < glyphCount; repeat++) advances.push(delta);
      index += 2;
    } else advances.push(Number(tokens[index]));
  }
  while (advances.length < glyphCount - 1) advances.push(nominal(advances.length));
  return advances.map((advance, index) => (Number.isFinite(advance) ? advance : nominal(index)));
}

/** A glyph's nominal advance when DeltaX does not give one: full width for CJK, half for Latin. */
const nominalWidth = (character: string, size: number): number => (/[\u0000-\u02ff]/.test(character) ? size / 2 : size);

function textItems(textObject: Element, matrix: Matrix): PositionedText[] {
  const size = Number(textObject.attribs.Size) || 3.5;
  const items: PositionedText[] = [];
  let x = 0;
  let y = 0;
  for (const textCode of children(textObject, 'TextCode')) {
    // X and Y carry over from the previous TextCode when a TextCode leaves them out.
    x = textCode.attribs.X !== undefined ? Number(textCode.attribs.X) : x;
    y = textCode.attribs.Y !== undefined ? Number(textCode.attribs.Y) : y;
    const glyphs = [...textOf(textCode)];
    const advances = glyphAdvances(textCode.attribs.DeltaX, glyphs.length, (index) => nominalWidth(glyphs[index], size));
    let run = '';
    let runStart = x;
    let pen = x;
    const flush = (end: number): void => {
      if (run.trim() !== '') items.push(positioned(run, runStart, end, y, size, matrix));
      run = '';
    };
    glyphs.forEach((glyph, index) => {
      if (index > 0) {
        const advance = advances[index - 1];
        if (advance > size * RUN_GAP_EMS) {
          flush(pen + nominalWidth(glyphs[index - 1], size));
          runStart = pen + advance;
        }
        pen += advance;
      }
      run += glyph;
    });
    flush(pen + nominalWidth(glyphs[glyphs.length - 1] ?? '', size));
    x = pen;
  }
  return items;
}

function positioned(text: string, x0: number, x1: number, baseline: number, size: number, matrix: Matrix): PositionedText {
  const corners = [apply(matrix, x0, baseline - size * ASCENT_EMS), apply(matrix, x1, baseline + size * DESCENT_EMS)];
  const xs = corners.map(([x]) => x * POINTS_PER_MM);
  const ys = corners.map(([, y]) => y * POINTS_PER_MM);
  return { text, box: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)] };
}

/** AbbreviatedData → subpaths of points (curves kept as their end points: borders are straight). */
function subpaths(data: string): Array<{ points: Array<[number, number]>; closed: boolean }> {
  const tokens = data.trim().split(/\s+/);
  const operands: Record<string, number> = { S: 2, M: 2, L: 2, Q: 4, B: 6, A: 7, C: 0 };
  const paths: Array<{ points: Array<[number, number]>; closed: boolean }> = [];
  let current: { points: Array<[number, number]>; closed: boolean } | null = null;
  for (let index = 0; index < tokens.length; ) {
    const command = tokens[index];
    const count = operands[command];
    if (count === undefined) {
      index++;
      continue;
    }
    const values = tokens.slice(index + 1, index + 1 + count).map(Number);
    index += 1 + count;
    if (command === 'C') {
      if (current) current.closed = true;
      continue;
    }
    if (values.length < count || values.some((value) => !Number.isFinite(value))) break;
    const end: [number, number] = [values[count - 2], values[count - 1]];
    if (command === 'M' || command === 'S' || !current) {
      current = { points: [end], closed: false };
      paths.push(current);
    } else current.points.push(end);
  }
  return paths;
}

function pathRulings(pathObject: Element, matrix: Matrix, rulings: Rulings): void {
  const stroked = pathObject.attribs.Stroke !== 'false';
  const filled = pathObject.attribs.Fill === 'true';
  const lineWidth = (Number(pathObject.attribs.LineWidth) || DEFAULT_LINE_WIDTH) * POINTS_PER_MM;
  const data = textOf(descendant(pathObject, 'AbbreviatedData'));
  const tolerance = AXIS_TOLERANCE * POINTS_PER_MM;
  for (const subpath of subpaths(data)) {
    const points = subpath.points.map(([x, y]) => apply(matrix, x, y).map((value) => value * POINTS_PER_MM) as [number, number]);
    const xs = points.map(([x]) => x);
    const ys = points.map(([, y]) => y);
    const box: Rect = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    const [width, height] = [box[2] - box[0], box[3] - box[1]];
    // A thin filled bar is how many producers draw a border.
    if (filled && Math.min(width, height) <= RULE_MAX_THICKNESS * POINTS_PER_MM && points.length >= 3) {
      if (width >= height) rulings.horizontal.push({ pos: (box[1] + box[3]) / 2, from: box[0], to: box[2], thickness: Math.max(height, lineWidth) });
      else rulings.vertical.push({ pos: (box[0] + box[2]) / 2, from: box[1], to: box[3], thickness: Math.max(width, lineWidth) });
      continue;
    }
    if (!stroked) continue;
    const segments = points.map((point, index) => [point, points[index + 1] ?? (subpath.closed ? points[0] : null)] as const);
    for (const [[x0, y0], next] of segments) {
      if (!next) continue;
      const [x1, y1] = next;
      const ruling = (pos: number, from: number, to: number): Ruling => ({ pos, from: Math.min(from, to), to: Math.max(from, to), thickness: lineWidth });
      if (Math.abs(y1 - y0) <= tolerance && Math.abs(x1 - x0) > tolerance) rulings.horizontal.push(ruling((y0 + y1) / 2, x0, x1));
      else if (Math.abs(x1 - x0) <= tolerance && Math.abs(y1 - y0) > tolerance) rulings.vertical.push(ruling((x0 + x1) / 2, y0, y1));
    }
  }
}

/** Text objects and paths of a page, in drawing order, PageBlocks (groups) included. */
function collectObjects(container: Element, page: PositionedPage, parentMatrix: Matrix): void {
  for (const child of container.children) {
    if (!isTag(child)) continue;
    const name = localName(child);
    if (name === 'TextObject') page.items.push(...textItems(child, multiply(parentMatrix, objectMatrix(child))));
    else if (name === 'PathObject') pathRulings(child, multiply(parentMatrix, objectMatrix(child)), page.rulings);
    else if (name === 'PageBlock' || name === 'Layer' || name === 'Content') collectObjects(child, page, parentMatrix);
  }
}

/** Each page's text objects and table borders, in PDF points with y downwards. */
export function readOfdPages(bytes: Buffer, limits: OfdLimits): PositionedPage[] {
  const parts = readXmlParts(bytes, {
    maxInflatedBytes: limits.maxInflatedBytes ?? MAX_OFD_XML_BYTES,
    maxCompressionRatio: limits.maxCompressionRatio ?? MAX_COMPRESSION_RATIO,
  });
  const maxDepth = limits.maxNestingDepth ?? DEFAULT_MAX_NESTING_DEPTH;
  const entry = xmlRoot(parts, 'OFD.xml', 'the entry file', maxDepth);
  const docRoot = textOf(descendant(entry, 'DocRoot')).trim();
  if (docRoot === '') throw corrupt('OFD.xml names no DocRoot');
  const documentPath = resolvePart('OFD.xml', docRoot);
  const document = xmlRoot(parts, documentPath, 'the document root', maxDepth);

  const pageList = descendant(document, 'Pages');
  const pageRefs = pageList ? children(pageList, 'Page') : [];
  if (pageRefs.length === 0) throw corrupt('the document has no pages');
  if (pageRefs.length > limits.maxPages) {
    throw new PermanentError('TOO_LARGE', `OFD 文件有 ${pageRefs.length} 页，超过上限 ${limits.maxPages} 页。The OFD has ${pageRefs.length} pages, more than the limit of ${limits.maxPages}.`);
  }
  const commonData = descendant(document, 'CommonData');
  const defaultBox = numbers(textOf(commonData && descendant(commonData, 'PhysicalBox')));

  return pageRefs.map((pageRef, index): PositionedPage => {
    const location = pageRef.attribs.BaseLoc;
    if (!location) throw corrupt(`page ${index + 1} has no BaseLoc`);
    const content = xmlRoot(parts, resolvePart(documentPath, location), `page ${index + 1}`, maxDepth);
    const area = descendant(content, 'Area');
    const box = numbers(textOf(area && descendant(area, 'PhysicalBox')));
    const [, , width = 210, height = 297] = box.length === 4 ? box : defaultBox.length === 4 ? defaultBox : [];
    const page: PositionedPage = { width: width * POINTS_PER_MM, height: height * POINTS_PER_MM, items: [], rulings: { horizontal: [], vertical: [] } };
    const body = descendant(content, 'Content');
    if (body) collectObjects(body, page, IDENTITY);
    return page;
  });
}

export function extractOfdPages(bytes: Buffer, limits: OfdLimits): ExtractedPage[] {
  return readOfdPages(bytes, limits).map((page, index) => {
    const { text, boxes } = layoutPage(page);
    return { number: index + 1, text, source: 'ofd', needsOcr: false, ocrReason: null, boxes };
  });
}
