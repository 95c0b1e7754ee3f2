/**
 * The stage cores chained in memory, with no Redis or Postgres: what `gongkai parse` runs, so one
 * file can be checked exactly as the pipeline would read it.
 */
import { sha256Of } from '../shared/blob-store';
import { describeSource, type CanonicalRecord } from '../shared/record';
import { extractDocument } from './ingest/core';
import { normalizeDocument } from './normalize/core';
import { passThroughTextPages } from './ocr/core';
import { parseReport } from './parse/core';
import { validateReport } from './validate/core';

export interface InProcessResult {
  record: CanonicalRecord;
  /** The normalized page texts, for printing findings beside their source. */
  pageTexts: string[];
}

export async function runCoresInProcess(bytes: Buffer, fileName: string, limits: { maxPages: number }): Promise<InProcessResult> {
  const extracted = await extractDocument({ bytes, fileName }, limits);
  const pages = passThroughTextPages(extracted.pages);
  const normalized = normalizeDocument({ ...extracted, pages });
  const parsed = parseReport(normalized, describeSource({ sha256: sha256Of(bytes), fileName, mediaType: extracted.mediaType }, pages));
  const findings = validateReport(parsed.record, { previous: null, bodyText: normalized.pages.map((page) => page.text).join('\n') });
  return {
    record: { ...parsed.record, findings: [...parsed.record.findings, ...findings] },
    pageTexts: normalized.pages.map((page) => page.text),
  };
}
