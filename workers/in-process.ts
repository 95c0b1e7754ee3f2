/**
 * The stage cores chained in memory, with no Redis or Postgres: what `gongkai parse` runs, so one
 * file can be checked exactly as the pipeline would read it.
 */
import { sha256Of } from '../shared/blob-store';
import { describeSource, pagesNeedingOcr, type CanonicalRecord, type ExtractedDocument, type ExtractedPage } from '../shared/record';
import { extractDocument } from './ingest/core';
import { normalizeDocument } from './normalize/core';
import { closePdfImageReader } from './ocr/page-image';
import { readScannedPage } from './ocr/scanned-page';
import { TesseractPool } from './ocr/tesseract-pool';
import { parseReport } from './parse/core';
import { readingText } from './parse/document';
import { validateReport, withValidationFindings } from './validate/core';

export interface InProcessResult {
  record: CanonicalRecord;
  /** The normalized page texts, for printing findings beside their source. */
  pageTexts: string[];
}

/** Reads the scanned pages here, two at a time (one tesseract.js thread per core). */
async function readScans(bytes: Buffer, extracted: ExtractedDocument): Promise<ExtractedPage[]> {
  const unread = new Set(pagesNeedingOcr(extracted.pages).map((page) => page.number));
  if (unread.size === 0) return extracted.pages;
  const pool = await TesseractPool.create({ size: Math.min(2, unread.size) });
  try {
    return await Promise.all(
      extracted.pages.map(async (page) =>
        unread.has(page.number) ? { ...page, source: 'ocr' as const, ...(await readScannedPage(bytes, extracted.mediaType, page.number, pool)) } : page,
      ),
    );
  } finally {
    await pool.terminate();
    await closePdfImageReader();
  }
}

export async function runCoresInProcess(bytes: Buffer, fileName: string, limits: { maxPages: number }): Promise<InProcessResult> {
  const extracted = await extractDocument({ bytes, fileName }, limits);
  const pages = await readScans(bytes, extracted);
  const normalized = normalizeDocument({ ...extracted, pages });
  const parsed = parseReport(normalized, describeSource({ sha256: sha256Of(bytes), fileName, mediaType: extracted.mediaType }, pages));
  const findings = validateReport(parsed.record, { previous: null, bodyText: readingText(normalized, parsed.record.source.mediaType) });
  return {
    record: withValidationFindings(parsed, findings).record,
    pageTexts: normalized.pages.map((page) => page.text),
  };
}
