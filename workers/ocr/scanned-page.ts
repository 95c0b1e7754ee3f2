/** Reading one scanned page of an original file: its image, then the OCR core. Shared by the page job and `gongkai parse`. */
import type { OcrPageInfo } from '../../shared/record';
import { ocrPage } from './core';
import type { GreyImage } from './image';
import { pdfPageImages, rasterImage } from './page-image';
import type { TesseractPool } from './tesseract-pool';

async function pageImage(bytes: Buffer, mediaType: string, page: number): Promise<GreyImage> {
  if (mediaType === 'application/pdf') {
    const [image] = await pdfPageImages(bytes, [page]);
    if (!image) throw new Error(`page ${page} has no image to read`);
    return image;
  }
  return rasterImage(bytes, page);
}

export async function readScannedPage(bytes: Buffer, mediaType: string, page: number, pool: TesseractPool): Promise<{ text: string; ocr: OcrPageInfo }> {
  return ocrPage(await pageImage(bytes, mediaType, page), pool);
}
