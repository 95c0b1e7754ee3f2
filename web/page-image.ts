/**
 * Page images for the source view, as PNG: a PDF page rendered by pdftoppm (poppler-utils), a page of a
 * PNG, JPEG or TIFF file by sharp, an OFD page drawn as SVG from the OFD reader's text objects and table
 * borders and rasterised by sharp. Each image is made once per (file, page, scale, rotation) and cached
 * in the data directory. Renders run a few at a time; pdftoppm is a child process with a deadline and an
 * output cap, so a hostile PDF costs a killed process, never a hung or crashed server.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { BlobStore } from '../shared/blob-store';
import type { PositionedPage } from '../workers/geometry/positioned';
import { MEDIA_TYPE } from '../workers/ingest/media-type';
import { readOfdPages } from '../workers/ingest/ofd';

/** The long side of a page image at scale 1, in pixels (an A4 page at about 94 dpi). */
const LONG_SIDE_PX = 1100;
export const PAGE_SCALES = [1, 1.5, 2, 3] as const;
export type PageScale = (typeof PAGE_SCALES)[number];
export const DEFAULT_PAGE_SCALE: PageScale = 1.5;

/** More output than this is no page image of a report. */
const MAX_IMAGE_BYTES = 50 * 1024 * 1024;
const MAX_INPUT_PIXELS = 20_000 * 20_000;

export interface PageImageRequest {
  sha256: string;
  mediaType: string;
  /** 1-based. */
  page: number;
  scale: PageScale;
  /** Clockwise degrees (0, 90, 180, 270): how OCR turned the page before reading it, so its boxes fit. */
  rotation: number;
}

/** A page that cannot be drawn: not a paged format, or the renderer failed or ran out of time. */
export class PageImageError extends Error {}

export function canRenderPages(mediaType: string | null): boolean {
  return mediaType === MEDIA_TYPE.pdf || mediaType === MEDIA_TYPE.ofd || mediaType === MEDIA_TYPE.png || mediaType === MEDIA_TYPE.jpeg || mediaType === MEDIA_TYPE.tiff;
}

export class PageImages {
  private readonly inFlight = new Map<string, Promise<Buffer>>();
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly options: { cacheDir: string; blobs: BlobStore; concurrency?: number; timeoutMs?: number }) {}

  /** The page as PNG bytes, from the cache or rendered now; concurrent requests for one image share one render. */
  async png(request: PageImageRequest): Promise<Buffer> {
    if (!canRenderPages(request.mediaType)) throw new PageImageError(`${request.mediaType} has no pages to draw.`);
    const file = path.join(this.options.cacheDir, `${request.sha256}-p${request.page}-s${request.scale}-r${request.rotation}.png`);
    const cached = await fs.readFile(file).catch(() => null);
    if (cached) return cached;
    let rendering = this.inFlight.get(file);
    if (!rendering) {
      rendering = this.limited(() => this.renderToCache(request, file)).finally(() => this.inFlight.delete(file));
      this.inFlight.set(file, rendering);
    }
    return rendering;
  }

  private async limited<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= (this.options.concurrency ?? 2)) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private async renderToCache(request: PageImageRequest, file: string): Promise<Buffer> {
    const bytes = await this.options.blobs.get(request.sha256);
    const longSide = Math.round(LONG_SIDE_PX * request.scale);
    const timeoutMs = this.options.timeoutMs ?? 20_000;
    let png: Buffer;
    if (request.mediaType === MEDIA_TYPE.pdf) png = await rotated(await pdftoppm(bytes, request.page, longSide, timeoutMs), request.rotation, timeoutMs);
    else if (request.mediaType === MEDIA_TYPE.ofd) png = await ofdPagePng(bytes, request.page, longSide, timeoutMs);
    else png = await rasterPagePng(bytes, request.page, longSide, request.rotation, timeoutMs);
    await fs.mkdir(this.options.cacheDir, { recursive: true });
    // Written aside and renamed, so a reader never sees half a file.
    const partial = `${file}.${process.pid}.${Date.now()}.partial`;
    await fs.writeFile(partial, png);
    await fs.rename(partial, file);
    return png;
  }
}

function pdftoppm(bytes: Buffer, page: number, longSide: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('pdftoppm', ['-png', '-f', String(page), '-l', String(page), '-singlefile', '-scale-to', String(longSide), '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let failure: string | null = null;
    const stop = (reason: string) => {
      failure ??= reason;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop(`pdftoppm took longer than ${timeoutMs / 1000} s`), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_IMAGE_BYTES) stop(`pdftoppm wrote more than ${MAX_IMAGE_BYTES} bytes`);
      else chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString();
    });
    // pdftoppm may exit before reading all of a broken file: the write fails, the exit code tells.
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new PageImageError(`pdftoppm could not run (${error.message}); install poppler-utils.`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (failure) return reject(new PageImageError(failure));
      if (code !== 0 || size === 0) return reject(new PageImageError(`pdftoppm failed (exit ${code}): ${stderr.trim()}`));
      resolve(Buffer.concat(chunks));
    });
    child.stdin.end(bytes);
  });
}

async function rotated(png: Buffer, rotation: number, timeoutMs: number): Promise<Buffer> {
  if (rotation % 360 === 0) return png;
  return sharp(png).rotate(rotation).timeout({ seconds: Math.ceil(timeoutMs / 1000) }).png().toBuffer();
}

/** A page of an image file, upright as OCR read it: EXIF orientation first, then OCR's own turn. */
async function rasterPagePng(bytes: Buffer, page: number, longSide: number, rotation: number, timeoutMs: number): Promise<Buffer> {
  const seconds = Math.ceil(timeoutMs / 1000);
  const upright = await sharp(bytes, { page: page - 1, pages: 1, limitInputPixels: MAX_INPUT_PIXELS })
    .rotate()
    .resize(longSide, longSide, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: { r: 255, g: 255, b: 255 } })
    .timeout({ seconds })
    .png()
    .toBuffer();
  return rotated(upright, rotation, timeoutMs);
}

const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/** An OFD page as SVG in its own units (points): each text run in its box, each table border as a line. */
export function positionedPageSvg(page: PositionedPage, longSide: number): string {
  const ratio = longSide / Math.max(page.width, page.height);
  const [width, height] = [Math.round(page.width * ratio), Math.round(page.height * ratio)];
  const texts = page.items.map(({ text, box: [x0, y0, x1, y1] }) => {
    const size = y1 - y0;
    // The reader's boxes reach 0.88 of the font size above the baseline and 0.12 below it.
    return `<text x="${x0.toFixed(2)}" y="${(y0 + size * 0.88).toFixed(2)}" font-size="${size.toFixed(2)}" textLength="${(x1 - x0).toFixed(2)}" lengthAdjust="spacingAndGlyphs">${escapeXml(text)}</text>`;
  });
  const lines = [
    ...page.rulings.horizontal.map((ruling) => [ruling.from, ruling.pos, ruling.to, ruling.pos, ruling.thickness]),
    ...page.rulings.vertical.map((ruling) => [ruling.pos, ruling.from, ruling.pos, ruling.to, ruling.thickness]),
  ].map(([x1, y1, x2, y2, thickness]) => `<line x1="${x1.toFixed(2)}" y1="${y1.toFixed(2)}" x2="${x2.toFixed(2)}" y2="${y2.toFixed(2)}" stroke-width="${Math.max(thickness, 0.5).toFixed(2)}"/>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${page.width.toFixed(2)} ${page.height.toFixed(2)}">
<rect width="100%" height="100%" fill="#fff"/>
<g stroke="#000">${lines.join('')}</g>
<g fill="#000" font-family="Noto Serif CJK SC, Noto Sans CJK SC, SimSun, serif">${texts.join('')}</g>
</svg>`;
}

async function ofdPagePng(bytes: Buffer, page: number, longSide: number, timeoutMs: number): Promise<Buffer> {
  const pages = readOfdPages(bytes, { maxPages: Number.MAX_SAFE_INTEGER });
  const positioned = pages[page - 1];
  if (!positioned) throw new PageImageError(`The OFD has no page ${page}.`);
  return sharp(Buffer.from(positionedPageSvg(positioned, longSide)))
    .timeout({ seconds: Math.ceil(timeoutMs / 1000) })
    .png()
    .toBuffer();
}
