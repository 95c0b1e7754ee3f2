/**
 * Entry of the PDF page-image thread started by page-image.ts. pdf.js parses untrusted input and loads
 * its parser with a dynamic import() (which jest's sandbox cannot do), so like the ingest reader it runs
 * in a thread of its own.
 *
 * For each requested page: when the page is one scanned image covering the page (and paints no text or
 * vector art), the image itself is decoded at its native resolution — re-rendering a scan at a fixed
 * scale resamples it and measurably wrecks OCR. Any other page is rendered at `renderDpi`.
 */
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { PDFParse } from 'pdf-parse';
import type { Matrix } from '../geometry/matrix';
import { OPS, walkOperators } from '../ingest/pdf-operators';
import { dropRedInk } from './image';

export interface PdfImageJob {
  id: number;
  bytes: Uint8Array;
  /** 1-based page numbers. */
  pages: number[];
  renderDpi: number;
}

export interface PdfPageImage {
  page: number;
  width: number;
  height: number;
  /** Greyscale, one byte per pixel. */
  data: Uint8Array;
  dpi: number | null;
  /** 'embedded' = the scan itself at native resolution; 'rendered' = the page drawn at renderDpi. */
  origin: 'embedded' | 'rendered';
}

export type PdfImageOutcome = { id: number } & ({ ok: true; images: PdfPageImage[] } | { ok: false; message: string });

const PDFJS_DIR = path.dirname(require.resolve('pdfjs-dist/package.json', { paths: [path.dirname(require.resolve('pdf-parse'))] }));
const PDFJS_DATA = {
  cMapUrl: path.join(PDFJS_DIR, 'cmaps') + path.sep,
  cMapPacked: true,
  standardFontDataUrl: path.join(PDFJS_DIR, 'standard_fonts') + path.sep,
};

const TEXT_OPS = new Set<number>([OPS.showText, OPS.showSpacedText, OPS.nextLineShowText, OPS.nextLineSetSpacingShowText]);
const IMAGE_KIND = { GRAYSCALE_1BPP: 1, RGB_24BPP: 2, RGBA_32BPP: 3 };

/** The slice of pdf.js's API used here (pdf-parse keeps the document behind a private `load()`). */
interface PdfCanvas {
  canvas: { width: number; height: number };
  context: {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
    drawImage(image: unknown, x: number, y: number): void;
    fillStyle: string;
    fillRect(x: number, y: number, w: number, h: number): void;
  };
}
interface PdfViewport {
  width: number;
  height: number;
  transform: number[];
}
interface PdfObjs {
  has(name: string): boolean;
  get(name: string, callback: (data: PdfImageData | null) => void): void;
}
interface PdfImageData {
  width: number;
  height: number;
  kind?: number;
  data?: Uint8Array | Uint8ClampedArray;
  bitmap?: { width: number; height: number };
}
interface PdfPage {
  getViewport(params: { scale: number }): PdfViewport;
  getOperatorList(): Promise<{ fnArray: number[]; argsArray: unknown[][] }>;
  render(params: { canvasContext: unknown; viewport: PdfViewport; canvas: unknown }): { promise: Promise<void> };
  objs: PdfObjs;
  commonObjs: PdfObjs;
  cleanup(): void;
}
interface PdfDocument {
  numPages: number;
  getPage(n: number): Promise<PdfPage>;
  canvasFactory: { create(width: number, height: number): PdfCanvas };
}

interface PaintedImage {
  ref: string | PdfImageData;
  /** Image space → viewport (device, y down) matrix at scale 1. */
  matrix: Matrix;
}

interface PageContent {
  images: PaintedImage[];
  textOps: number;
  pathOps: number;
}

async function pageContent(page: PdfPage, viewport: PdfViewport): Promise<PageContent> {
  const content: PageContent = { images: [], textOps: 0, pathOps: 0 };
  walkOperators(await page.getOperatorList(), viewport.transform as Matrix, (fn, args, { ctm }) => {
    if (TEXT_OPS.has(fn)) content.textOps++;
    else if (fn === OPS.constructPath) content.pathOps++;
    else if (fn === OPS.paintImageXObject || fn === OPS.paintInlineImageXObject) content.images.push({ ref: args[0] as string | PdfImageData, matrix: ctm });
  });
  return content;
}

function resolveImage(page: PdfPage, ref: string | PdfImageData): Promise<PdfImageData> {
  if (typeof ref !== 'string') return Promise.resolve(ref);
  const objs = page.commonObjs.has(ref) ? page.commonObjs : page.objs;
  return new Promise((resolve, reject) => {
    objs.get(ref, (data) => (data ? resolve(data) : reject(new Error(`image ${ref} not found`))));
  });
}

function toGrey(doc: PdfDocument, image: PdfImageData): Uint8Array {
  const { width, height } = image;
  let src = image.data;
  let kind = image.kind;
  if (!src && image.bitmap) {
    const canvas = doc.canvasFactory.create(width, height);
    canvas.context.drawImage(image.bitmap, 0, 0);
    src = canvas.context.getImageData(0, 0, width, height).data;
    kind = IMAGE_KIND.RGBA_32BPP;
  }
  if (!src) throw new Error('embedded image has no pixel data');
  if (kind === IMAGE_KIND.GRAYSCALE_1BPP) {
    // Rows are padded to whole bytes.
    const rowBytes = (width + 7) >> 3;
    const out = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) out[y * width + x] = (src[y * rowBytes + (x >> 3)] >> (7 - (x & 7))) & 1 ? 255 : 0;
    }
    return out;
  }
  const channels = kind === IMAGE_KIND.RGB_24BPP ? 3 : kind === IMAGE_KIND.RGBA_32BPP ? 4 : Math.round(src.length / (width * height));
  return dropRedInk(src, width, height, channels);
}

/** Clockwise quarter turn of a greyscale buffer. */
function turn(data: Uint8Array, width: number, height: number, degrees: number): { data: Uint8Array; width: number; height: number } {
  const turns = (((degrees / 90) % 4) + 4) % 4;
  if (turns === 0) return { data, width, height };
  const out = new Uint8Array(width * height);
  if (turns === 2) {
    for (let i = 0, n = out.length; i < n; i++) out[n - 1 - i] = data[i];
    return { data: out, width, height };
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) out[turns === 1 ? x * height + (height - 1 - y) : (width - 1 - x) * height + y] = data[y * width + x];
  }
  return { data: out, width: height, height: width };
}

/**
 * The scan when the page is one image covering ≥ 85 % of it with no text or vector drawing, shown
 * upright as on the page (quarter turns of the placement applied), else null.
 */
async function embeddedScan(doc: PdfDocument, page: PdfPage, pageNumber: number): Promise<PdfPageImage | null> {
  const viewport = page.getViewport({ scale: 1 });
  const content = await pageContent(page, viewport);
  if (content.images.length !== 1 || content.textOps > 0) return null;
  const { ref, matrix } = content.images[0];
  const [a, b, c, d] = matrix;
  // Image space: u (columns) along (a, b), v (rows, top to bottom) along (-c, -d) on the device.
  const axisAligned = (Math.abs(b) < 1e-6 && Math.abs(c) < 1e-6) || (Math.abs(a) < 1e-6 && Math.abs(d) < 1e-6);
  if (!axisAligned) return null;
  const drawnW = Math.abs(a) + Math.abs(c);
  const drawnH = Math.abs(b) + Math.abs(d);
  if (drawnW * drawnH < 0.85 * viewport.width * viewport.height) return null;
  let degrees: number;
  if (Math.abs(b) < 1e-6) {
    // Unrotated (u → +x, v → +y) or 180° (u → −x, v → −y); mirrored placements are rendered instead.
    if (a > 0 && -d > 0) degrees = 0;
    else if (a < 0 && -d < 0) degrees = 180;
    else return null;
  } else if (b > 0 && -c < 0) degrees = 90;
  else if (b < 0 && -c > 0) degrees = 270;
  else return null;
  const image = await resolveImage(page, ref);
  const upright = turn(toGrey(doc, image), image.width, image.height, degrees);
  // Points are 1/72 inch; the drawn width in points gives the scan's resolution.
  const dpi = Math.round((upright.width / drawnW) * 72);
  return { page: pageNumber, ...upright, dpi, origin: 'embedded' };
}

async function renderPage(doc: PdfDocument, page: PdfPage, pageNumber: number, dpi: number): Promise<PdfPageImage> {
  const viewport = page.getViewport({ scale: dpi / 72 });
  const width = Math.ceil(viewport.width);
  const height = Math.ceil(viewport.height);
  const canvas = doc.canvasFactory.create(width, height);
  canvas.context.fillStyle = '#ffffff';
  canvas.context.fillRect(0, 0, width, height);
  await page.render({ canvasContext: canvas.context, viewport, canvas: canvas.canvas }).promise;
  const rgba = canvas.context.getImageData(0, 0, width, height).data;
  const data = toGrey(doc, { width, height, kind: IMAGE_KIND.RGBA_32BPP, data: rgba });
  return { page: pageNumber, width, height, data, dpi, origin: 'rendered' };
}

async function readJob(job: PdfImageJob): Promise<PdfImageOutcome> {
  const parser = new PDFParse({ data: Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength), ...PDFJS_DATA });
  try {
    const doc = await (parser as unknown as { load(): Promise<PdfDocument> }).load();
    const images: PdfPageImage[] = [];
    for (const number of job.pages) {
      if (number < 1 || number > doc.numPages) throw new Error(`page ${number} is outside the document (1–${doc.numPages})`);
      const page = await doc.getPage(number);
      try {
        let image: PdfPageImage | null = null;
        try {
          image = await embeddedScan(doc, page, number);
        } catch {
          // An image pdf.js cannot hand over (unsupported colour space, broken stream): draw the page instead.
          image = null;
        }
        images.push(image ?? (await renderPage(doc, page, number, job.renderDpi)));
      } finally {
        page.cleanup();
      }
    }
    return { id: job.id, ok: true, images };
  } catch (error) {
    return { id: job.id, ok: false, message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  } finally {
    await parser.destroy().catch(() => undefined);
  }
}

if (parentPort !== null) {
  const port = parentPort;
  port.on('message', (job: PdfImageJob) => {
    void readJob(job).then((outcome) => {
      const transfer = outcome.ok ? outcome.images.map((image) => image.data.buffer as ArrayBuffer) : [];
      port.postMessage(outcome, transfer);
    });
  });
}
