/** Image files (PNG, JPEG, TIFF) are scans: one page per image, each to be read by OCR. */
import sharp from 'sharp';
import { PermanentError } from '../../shared/errors';
import type { ExtractedPage } from '../../shared/record';

export async function imagePages(bytes: Buffer, fileName: string, maxPages: number): Promise<ExtractedPage[]> {
  let pageCount: number;
  try {
    const meta = await sharp(bytes).metadata();
    pageCount = meta.pages ?? 1;
  } catch (error) {
    throw new PermanentError('CORRUPT_FILE', `${fileName} could not be decoded as an image: ${error instanceof Error ? error.message : String(error)}`);
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
