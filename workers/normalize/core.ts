/**
 * The normalize stage's pure core: Simplified, width-folded text per page, with an offset map back to
 * the extracted text so every parsed value can point at its source.
 */
import type { ExtractedDocument, ExtractedPage, NormalizedDocument, NormalizedPage, Script } from '../../shared/record';
import { collapseLabelSpaces, foldCharacters } from './fold';
import { identityMapped, toOffsetMap } from './mapped-text';
import { detectScript, toSimplified } from './script';

export function normalizeDocument(doc: ExtractedDocument): NormalizedDocument {
  const script = detectScript(doc.pages.map((page) => page.text));
  return { script, pages: doc.pages.map((page) => normalizePage(page, script)) };
}

function normalizePage(page: ExtractedPage, script: Script): NormalizedPage {
  let mapped = foldCharacters(identityMapped(page.text));
  if (script === 'traditional') mapped = toSimplified(mapped);
  mapped = collapseLabelSpaces(mapped);
  return {
    number: page.number,
    text: mapped.text,
    offsetMap: toOffsetMap(mapped),
    ...(page.lineOrigins ? { lineOrigins: page.lineOrigins } : {}),
    // OCR geometry and confidence are keyed by source line and tab cell, which normalize keeps intact.
    ...(page.ocr ? { ocr: page.ocr } : {}),
    sourceText: page.text,
  };
}

/** The source offset of a normalized offset: the nearest anchor at or before it, plus the distance. */
export function sourceOffset(page: NormalizedPage, normalizedOffset: number): number {
  const anchors = page.offsetMap;
  let low = 0;
  let high = anchors.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (anchors[middle][0] <= normalizedOffset) low = middle;
    else high = middle - 1;
  }
  const [normalized, source] = anchors[low];
  return source + Math.max(0, normalizedOffset - normalized);
}
