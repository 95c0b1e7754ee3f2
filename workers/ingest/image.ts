/** Image files (PNG, JPEG, TIFF) are scans: one page per image, each to be read by OCR. */
import sharp from 'sharp';
import { PermanentError } from '../../shared/errors';
import type { ExtractedPage } from '../../shared/record';
import { MAX_PAGE_IMAGE_PIXELS } from './media-type';

export async function imagePages(bytes: Buffer, fileName: string, maxPages: number): Promise<ExtractedPage[]> {
  let pageCount: number;
  let width: number;
  let height: number;
  try {
    // Only the header is read here; sharp's own pixel limit would call a huge image corrupt, so the size is checked below.
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    pageCount = meta.pages ?? 1;
    width = meta.width ?? 0;
    height = meta.height ?? 0;
  } catch (error) {
    throw new PermanentError('CORRUPT_FILE', `${fileName} could not be decoded as an image: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (width * height > MAX_PAGE_IMAGE_PIXELS) {
    throw new PermanentError(
      'TOO_LARGE',
      `${fileName} is a ${width}×${height} image (${Math.round((width * height) / 1e6)} MP); at most ${MAX_PAGE_IMAGE_PIXELS / 1e6} MP per page image are accepted.`,
    );
  }
  if (pageCount > maxPages) throw new PermanentError('TOO_LARGE', `${fileName} has ${pageCount} pages; the limit is ${maxPages}.`);
  return Array.from({ length: pageCount }, (_, index) => ({
    number: index + 1,
    text: '',
    source: 'ocr' as const,
    needsOcr: true,
    ocrReason: 'image file',
  }));
}
