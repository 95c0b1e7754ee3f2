/**
 * Page images to read, as raw greyscale pixels (no PNG between stages):
 * - from a PDF page: the embedded scan at its native resolution when the page is a single image,
 *   otherwise the page rendered at 300 dpi — both in a thread of their own (pdf-image-thread.ts);
 * - from PNG, JPEG or TIFF files (each page of a multi-page TIFF is one image), decoded by sharp
 *   (libvips, off the event loop).
 */
import { Worker } from 'node:worker_threads';
import sharp, { type Metadata } from 'sharp';
import type { GreyImage } from './image';
import { singleChannel } from './orientation';
import type { PdfImageJob, PdfImageOutcome, PdfPageImage } from './pdf-image-thread';

export type { PdfPageImage } from './pdf-image-thread';

export const DEFAULT_RENDER_DPI = 300;

export interface PdfImageOptions {
  renderDpi?: number;
  timeoutMs?: number;
}

/** Heap cap for the image thread: decoded pages are ~9 MB each at 300 dpi. */
const IMAGE_THREAD_HEAP_MB = 1024;

const THREAD_BOOTSTRAP = [
  `require(${JSON.stringify(require.resolve('tsx/cjs'))});`,
  `require(${JSON.stringify(require.resolve('./pdf-image-thread'))});`,
].join('\n');

class PdfImageReader {
  private thread: Worker | null = null;
  private nextJobId = 1;
  private queue: Promise<unknown> = Promise.resolve();

  read(bytes: Uint8Array, pages: number[], options: PdfImageOptions): Promise<PdfPageImage[]> {
    const result = this.queue.then(() => this.runJob(bytes, pages, options));
    this.queue = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = null;
    await thread?.terminate();
  }

  private startedThread(): Worker {
    if (this.thread !== null) return this.thread;
    const thread = new Worker(THREAD_BOOTSTRAP, { eval: true, resourceLimits: { maxOldGenerationSizeMb: IMAGE_THREAD_HEAP_MB } });
    thread.unref();
    thread.on('error', () => this.retire(thread));
    thread.once('exit', () => this.retire(thread));
    this.thread = thread;
    return thread;
  }

  private retire(thread: Worker): void {
    if (this.thread === thread) this.thread = null;
    void thread.terminate();
  }

  private runJob(bytes: Uint8Array, pages: number[], options: PdfImageOptions): Promise<PdfPageImage[]> {
    const thread = this.startedThread();
    // The thread gets its own copy: the caller's buffer stays usable.
    const job: PdfImageJob = { id: this.nextJobId++, bytes: new Uint8Array(bytes), pages, renderDpi: options.renderDpi ?? DEFAULT_RENDER_DPI };
    const timeoutMs = options.timeoutMs ?? 120_000;
    return new Promise<PdfPageImage[]>((resolve, reject) => {
      const finish = (outcome: { images: PdfPageImage[] } | { error: unknown }, usable: boolean): void => {
        clearTimeout(timer);
        thread.off('message', onMessage).off('error', onError).off('exit', onExit);
        if (!usable) this.retire(thread);
        if ('images' in outcome) resolve(outcome.images);
        else reject(outcome.error);
      };
      const onMessage = (outcome: PdfImageOutcome): void => {
        if (outcome.id !== job.id) return;
        if (outcome.ok) finish({ images: outcome.images }, true);
        else finish({ error: new Error(`Extracting page images failed: ${outcome.message}`) }, true);
      };
      const onError = (error: Error): void => finish({ error }, false);
      const onExit = (code: number): void => finish({ error: new Error(`The PDF image thread exited (code ${code}) before answering.`) }, false);
      const timer = setTimeout(() => finish({ error: new Error(`Extracting page images took longer than ${timeoutMs / 1000} s.`) }, false), timeoutMs);
      thread.on('message', onMessage).on('error', onError).on('exit', onExit);
      thread.postMessage(job, [job.bytes.buffer as ArrayBuffer]);
    });
  }
}

const reader = new PdfImageReader();

/** Images of the given 1-based PDF pages, in the order asked. */
export async function pdfPageImages(bytes: Uint8Array, pages: number[], options: PdfImageOptions = {}): Promise<Array<GreyImage & { page: number; origin: PdfPageImage['origin'] }>> {
  const images = await reader.read(bytes, pages, options);
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
  const pipeline = sharp(bytes, { page: index, pages: 1, limitInputPixels: 20_000 * 20_000 })
    .rotate()
    .flatten({ background: { r: 255, g: 255, b: 255 } })
    .greyscale();
  const pageMeta = await sharp(bytes, { page: index, pages: 1 }).metadata();
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: singleChannel(data, info.width, info.height, info.channels), dpi: densityDpi(pageMeta) };
}

function densityDpi(meta: Metadata): number | null {
  if (!meta.density) return null;
  // sharp reports pixels per inch; files without a resolution often claim 72, which says nothing.
  return meta.density === 72 ? null : Math.round(meta.density);
}
