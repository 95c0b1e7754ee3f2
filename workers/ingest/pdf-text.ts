/**
 * PDF text extraction with pdf-parse 2.x (pdf.js): one ExtractedPage per page, flagging pages that
 * need OCR. Runs inside the PDF reader thread (pdf-thread.ts), never in the caller's thread.
 */
import path from 'node:path';
import { PDFParse } from 'pdf-parse';
import { PermanentError } from '../../shared/errors';
import type { ExtractedPage } from '../../shared/record';
import { layoutPage, type LaidOutPage } from '../geometry/layout';
import { MAX_PAGE_IMAGE_PIXELS } from './media-type';
import type { PositionedText } from '../geometry/positioned';
import { pdfPageText, pdfRulings, type PdfTextItem, type PdfViewport } from './pdf-geometry';
import { OPS, type OperatorList } from './pdf-operators';

/** The pdfjs-dist that pdf-parse itself depends on, for its bundled data files. */
const PDFJS_DIR = path.dirname(
  require.resolve('pdfjs-dist/package.json', { paths: [path.dirname(require.resolve('pdf-parse'))] }),
);

/**
 * pdf.js reads these from disk in Node (paths, with the trailing separator it requires). Without the
 * CMaps, text in a non-embedded Chinese font (Adobe-GB1, common from older generators) comes out empty.
 */
const PDFJS_DATA = {
  cMapUrl: path.join(PDFJS_DIR, 'cmaps') + path.sep,
  cMapPacked: true,
  standardFontDataUrl: path.join(PDFJS_DIR, 'standard_fonts') + path.sep,
};

/** A page with at most this many non-whitespace characters may be a scan. */
const SCAN_TEXT_THRESHOLD = 20;


/** The slice of pdf.js's API used here (pdf-parse keeps the document behind a private `load()`). */
interface PdfPageProxy {
  getViewport(options: { scale: number }): PdfViewport;
  getTextContent(): Promise<{ items: Array<PdfTextItem | { type: string }> }>;
  getOperatorList(): Promise<OperatorList>;
  cleanup(): void;
}
interface PdfDocumentProxy {
  getPage(pageNumber: number): Promise<PdfPageProxy>;
}

function imageSize(op: number, args: unknown[]): { width: number; height: number } {
  // paintImageXObject: [objId, width, height]; paintInlineImageXObject: [imageData].
  if (op === OPS.paintImageXObject) return { width: Number(args[1]) || 0, height: Number(args[2]) || 0 };
  const data = args[0] as { width?: number; height?: number } | undefined;
  return { width: data?.width ?? 0, height: data?.height ?? 0 };
}

/**
 * Whether the page paints an image, read from pdf.js's operator list: pdf-parse's getImage() would draw
 * every image onto a canvas of its full size first (minutes and gigabytes for a 400 MP "scan").
 */
function paintsImage(operators: OperatorList, pageNumber: number): boolean {
  let painted = false;
  for (const [index, op] of operators.fnArray.entries()) {
    if (op !== OPS.paintImageXObject && op !== OPS.paintInlineImageXObject) continue;
    painted = true;
    const { width, height } = imageSize(op, operators.argsArray[index]);
    if (width * height > MAX_PAGE_IMAGE_PIXELS) {
      throw new PermanentError(
        'TOO_LARGE',
        `Page ${pageNumber} is a ${width}×${height} image (${Math.round((width * height) / 1e6)} MP); at most ${MAX_PAGE_IMAGE_PIXELS / 1e6} MP per page image are accepted.`,
      );
    }
  }
  return painted;
}

/** A page with fewer numbers standing alone than this holds no table of the templates, so its borders are not sought. */
const MIN_TABLE_NUMBERS = 3;
const NUMBER = /^\s*\d[\d,.]*\s*$/;
/** Text closer than this many text heights to a number, on its line, makes it part of a sentence. */
const SENTENCE_GAP = 0.6;

/**
 * Numbers that stand alone on their line, as table cells do; a number in prose ("共计95个") touches the
 * words around it, even where a word processor wrote its digits as runs of their own.
 */
function standaloneNumbers(items: PositionedText[]): number {
  return items.filter((item) => {
    if (!NUMBER.test(item.text)) return false;
    const [x0, y0, x1, y1] = item.box;
    const reach = SENTENCE_GAP * (y1 - y0);
    return !items.some((other) => {
      if (other === item || other.text.trim() === '') return false;
      const sameLine = other.box[1] < y1 && other.box[3] > y0;
      return sameLine && other.box[0] < x1 + reach && other.box[2] > x0 - reach;
    });
  }).length;
}

/**
 * One page's text laid out from its geometry (tables as tab-separated rows, see ../geometry/layout.ts),
 * and its operator list where it was needed: for the table borders of a page with numbers standing alone
 * as cells do, and for the images of a page with next to no text. The operator list costs more than the
 * text itself, so a page of prose goes without. null operators where pdf.js could not build them (a broken page:
 * rendering and OCR is the next try either way).
 */
async function readPage(doc: PdfDocumentProxy, pageNumber: number): Promise<{ laidOut: LaidOutPage; operators: OperatorList | null }> {
  const page = await doc.getPage(pageNumber);
  try {
    const content = await page.getTextContent();
    const items = content.items.filter((item): item is PdfTextItem => 'str' in item);
    const viewport = page.getViewport({ scale: 1 });
    const unruled = pdfPageText(viewport, items);
    const visibleCharacters = items.reduce((sum, item) => sum + item.str.replace(/\s/g, '').length, 0);
    if (standaloneNumbers(unruled.items) < MIN_TABLE_NUMBERS && visibleCharacters > SCAN_TEXT_THRESHOLD) return { laidOut: layoutPage(unruled), operators: NO_OPERATORS };
    const operators = await page.getOperatorList().catch(() => null);
    if (operators === null) return { laidOut: layoutPage(unruled), operators };
    return { laidOut: layoutPage({ ...unruled, rulings: pdfRulings(viewport, operators) }), operators };
  } finally {
    page.cleanup();
  }
}

const NO_OPERATORS: OperatorList = { fnArray: [], argsArray: [] };

/**
 * Characters a font without a usable ToUnicode map produces: replacement characters, private-use
 * glyph codes, control characters, and Latin-1 symbols and letters (GBK bytes read as Latin-1; the middle dot
 * and × that Chinese text does use are left out). A Chinese report
 * has almost none of them.
 */
const GARBLED_CHARACTER = /[\uFFFD\uE000-\uF8FF\u0000-\u0008\u000E-\u001F\u00A1-\u00B6\u00B8-\u00D6\u00D8-\u00FF]/g;
/** A text layer where this share of the visible characters is garbled is read by OCR instead. */
const GARBLED_SHARE = 0.3;

export function garbledShare(text: string): number {
  const visible = text.replace(/\s/g, '');
  if (visible.length === 0) return 0;
  return (visible.match(GARBLED_CHARACTER)?.length ?? 0) / visible.length;
}

/** A text page keeps where its characters were printed; a page OCR will read gets its boxes from OCR. */
function classifyPage(number: number, { text, boxes }: LaidOutPage, operators: OperatorList | null): ExtractedPage {
  const page: ExtractedPage = { number, text, source: 'pdf-text', needsOcr: false, ocrReason: null };
  if (garbledShare(text) >= GARBLED_SHARE) return { ...page, needsOcr: true, ocrReason: 'garbled text' };
  const visibleCharacters = text.replace(/\s/g, '').length;
  // Empty text alone does not prove a scan (blank pages exist), so require an image as well.
  if (visibleCharacters > SCAN_TEXT_THRESHOLD || (operators !== null && !paintsImage(operators, number))) return { ...page, boxes };
  return { ...page, needsOcr: true, ocrReason: visibleCharacters === 0 ? 'no text layer' : 'too little text' };
}

/**
 * pdf.js's exceptions about the file, by name: pdf-parse re-wraps them into its own classes only while
 * loading, and errors from later calls arrive as pdf.js's classes, so `instanceof` would miss those.
 */
const FILE_ERROR_NAMES = new Set(['InvalidPDFException', 'FormatError', 'UnknownErrorException']);

/**
 * Anything else (a missing data file, a bug) is not the document's fault and stays a plain error, so
 * the job is retried rather than dead-lettered.
 */
function describeFileError(error: unknown): unknown {
  if (error instanceof PermanentError || !(error instanceof Error)) return error;
  if (error.name === 'PasswordException') {
    return new PermanentError('ENCRYPTED_FILE', 'The PDF is password-protected, so its text cannot be read.');
  }
  if (!FILE_ERROR_NAMES.has(error.name)) return error;
  return new PermanentError('CORRUPT_FILE', `The PDF is damaged or incomplete and cannot be read (${error.message}).`);
}

export async function readPdfPages(bytes: Buffer, maxPages: number): Promise<ExtractedPage[]> {
  const parser = new PDFParse({ data: bytes, ...PDFJS_DATA });
  try {
    const { total } = await parser.getInfo();
    if (total > maxPages) {
      throw new PermanentError('TOO_LARGE', `The PDF has ${total} pages; at most ${maxPages} are accepted.`);
    }
    const doc = await (parser as unknown as { load(): Promise<PdfDocumentProxy> }).load();
    const extracted: ExtractedPage[] = [];
    for (let number = 1; number <= total; number++) {
      const { laidOut, operators } = await readPage(doc, number);
      extracted.push(classifyPage(number, laidOut, operators));
    }
    return extracted;
  } catch (error) {
    throw describeFileError(error);
  } finally {
    // Failing to free pdf.js's resources must not hide the outcome above.
    await parser.destroy().catch(() => undefined);
  }
}
