/**
 * Page images to read, as raw greyscale pixels (no PNG between stages):
 * - from a PDF page: the embedded scan at its native resolution when the page is a single image,
 *   otherwise the page rendered at 300 dpi — both in a thread of their own (pdf-image-thread.ts);
 * - from PNG, JPEG or TIFF files (each page of a multi-page TIFF is one image), decoded by sharp
 *   (libvips, off the event loop).
 * Colour pages become grey with red ink (official seals) dropped, on both paths (`dropRedInk`).
 */
import sharp, { type Metadata } from 'sharp';
import { dropRedInk, type GreyImage } from './image';
import { singleChannel } from './orientation';
import { ThreadRunner } from '../thread-runner';
import type { PdfImageJob, PdfImageOutcome, PdfPageImage } from './pdf-image-thread';

export type { PdfPageImage } from './pdf-image-thread';

export const DEFAULT_RENDER_DPI = 300;

export interface PdfImageOptions {
  renderDpi?: number;
  timeoutMs?: number;
}

/** Heap cap for the image thread: decoded pages are ~9 MB each at 300 dpi. */
const IMAGE_THREAD_HEAP_MB = 1024;
/**
 * The thread lives as long as the OCR worker, beside tesseract.js. With V8's default young generation it
 * kept 20–40 MB more resident over five scanned pages (measured: 179/193 MB vs 150/156 MB with 4–8 MB),
 * and the smaller one was not slower.
 */
const IMAGE_THREAD_YOUNG_GENERATION_MB = 8;

const reader = new ThreadRunner<PdfImageJob, PdfImageOutcome>({
  entry: require.resolve('./pdf-image-thread'),
  heapMb: IMAGE_THREAD_HEAP_MB,
  youngGenerationMb: IMAGE_THREAD_YOUNG_GENERATION_MB,
  name: 'PDF image',
});

/** Images of the given 1-based PDF pages, in the order asked. */
export async function pdfPageImages(bytes: Uint8Array, pages: number[], options: PdfImageOptions = {}): Promise<Array<GreyImage & { page: number; origin: PdfPageImage['origin'] }>> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  // The thread gets its own copy, moved rather than cloned: the caller's buffer stays usable.
  const copy = new Uint8Array(bytes);
  const outcome = await reader.run((id) => ({ id, bytes: copy, pages, renderDpi: options.renderDpi ?? DEFAULT_RENDER_DPI }), {
    timeoutMs,
    timeoutError: () => new Error(`Extracting page images took longer than ${timeoutMs / 1000} s.`),
    outOfMemoryError: () => new Error(`Extracting page images needed more than ${IMAGE_THREAD_HEAP_MB} MB of memory.`),
    transfer: [copy.buffer as ArrayBuffer],
  });
  if (!outcome.ok) throw new Error(`Extracting page images failed: ${outcome.message}`);
  const images = outcome.images;
  return images.map((image) => ({ page: image.page, width: image.width, height: image.height, data: image.data, dpi: image.dpi, origin: image.origin }));
}

/** Stops the PDF image thread (shutdown, tests); the next request starts a new one. */
export function closePdfImageReader(): Promise<void> {
  return reader.close();
}

/**
 * Decodes a PNG, JPEG or TIFF (every page of a multi-page TIFF) to greyscale pixels, applying EXIF
 * orientation and flattening transparency onto white.
 */
export async function rasterImages(bytes: Buffer): Promise<GreyImage[]> {
  const meta = await sharp(bytes).metadata();
  const images: GreyImage[] = [];
  for (let page = 1; page <= (meta.pages ?? 1); page++) images.push(await rasterImage(bytes, page));
  return images;
}

/** One 1-based page of a PNG, JPEG or TIFF, decoded alone (a page job needs only its own page). */
export async function rasterImage(bytes: Buffer, page: number): Promise<GreyImage> {
  const index = page - 1;
  const pageMeta = await sharp(bytes, { page: index, pages: 1 }).metadata();
  const upright = sharp(bytes, { page: index, pages: 1, limitInputPixels: 20_000 * 20_000 })
    .rotate()
    .flatten({ background: { r: 255, g: 255, b: 255 } });
  const dpi = densityDpi(pageMeta);
  if ((pageMeta.channels ?? 1) >= 3) {
    // Colour (RGB, CMYK, palette): to 8-bit RGB, then grey with red seal ink dropped.
    const { data, info } = await upright.toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: dropRedInk(data, info.width, info.height, info.channels), dpi };
  }
  const { data, info } = await upright.greyscale().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: singleChannel(data, info.width, info.height, info.channels), dpi };
}

function densityDpi(meta: Metadata): number | null {
  if (!meta.density) return null;
  // sharp reports pixels per inch; files without a resolution often claim 72, which says nothing.
  return meta.density === 72 ? null : Math.round(meta.density);
}
