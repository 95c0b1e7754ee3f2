/**
 * Decides which pages need OCR. Pages with a usable text layer pass straight through; pages without
 * one are refused with a clear reason until scanned-page reading lands (issue 4).
 */
import { PermanentError } from '../../shared/errors';
import type { ExtractedPage } from '../../shared/record';

export function pagesNeedingOcr(pages: ExtractedPage[]): ExtractedPage[] {
  return pages.filter((page) => page.needsOcr);
}

/** Returns the pages ready for normalize; throws when any page still needs a recogniser. */
export function passThroughTextPages(pages: ExtractedPage[]): ExtractedPage[] {
  const scanned = pagesNeedingOcr(pages);
  if (scanned.length > 0) {
    const list = scanned.map((page) => `${page.number} (${page.ocrReason ?? 'no text layer'})`).join(', ');
    throw new PermanentError('NEEDS_OCR', `page${scanned.length > 1 ? 's' : ''} ${list} must be read by OCR, which this version does not do yet`);
  }
  return pages;
}
