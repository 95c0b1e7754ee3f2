/**
 * Parse as one task on normalize's output as stored: decode it, read the report, and encode parse's
 * output with its route (encodedWithRoute), so the worker only moves bytes. The reader processes run
 * it (sandbox-entry.ts), and so may the worker's own thread (workers/parse/worker.ts).
 */
import { decodeStageOutput, encodedWithRoute, type EncodedStageOutput } from '../../shared/stage-outputs';
import { parseReport } from './core';
import { readingText } from './document';

export function parseStored(stored: Uint8Array): EncodedStageOutput {
  const { normalized, source, opening } = decodeStageOutput<'normalize'>(stored);
  return encodedWithRoute('parse', { parsed: parseReport(normalized, source), bodyText: readingText(normalized, source.mediaType), opening });
}
