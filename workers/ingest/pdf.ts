/**
 * Reads PDFs in a thread of their own (see ../thread-runner.ts): pdf.js parses untrusted input, and a
 * hostile or broken file must cost a restarted thread, not the process.
 */
import { PermanentError } from '../../shared/errors';
import type { ExtractedPage } from '../../shared/record';
import { ThreadRunner } from '../thread-runner';
import type { PdfJob, PdfOutcome } from './pdf-thread';

export interface PdfReadLimits {
  maxPages: number;
  timeoutMs: number;
}

/** Heap cap for the reader thread; a PDF that needs more is refused as TOO_LARGE. */
export const PDF_READER_HEAP_MB = 1024;

const reader = new ThreadRunner<PdfJob, PdfOutcome>({ entry: require.resolve('./pdf-thread'), heapMb: PDF_READER_HEAP_MB, name: 'PDF reader' });

export async function extractPdfPages(bytes: Buffer, limits: PdfReadLimits): Promise<ExtractedPage[]> {
  const outcome = await reader.run((id) => ({ id, bytes, maxPages: limits.maxPages }), {
    timeoutMs: limits.timeoutMs,
    timeoutError: () => new PermanentError('TOO_LARGE', `Reading the PDF took longer than ${limits.timeoutMs / 1000} s; it is too large or too complex.`),
    outOfMemoryError: () => new PermanentError('TOO_LARGE', `Reading the PDF needed more than ${PDF_READER_HEAP_MB} MB of memory.`),
  });
  if (outcome.ok) return outcome.pages;
  if (outcome.permanent !== null) throw new PermanentError(outcome.permanent.code, outcome.permanent.message);
  throw new Error(`Reading the PDF failed: ${outcome.message}`);
}

/** Stops the reader thread (for shutdown and tests); the next PDF starts a new one. */
export function closePdfReader(): Promise<void> {
  return reader.close();
}
