/**
 * Ingest's work on one file, as a reader process runs it (sandbox-entry.ts) and as the worker runs it
 * for small text and HTML files: the file's text, page by page, encoded for the stage-output store and
 * routed (encodedWithRoute), with the media type the worker records on the document.
 */
import { encodedWithRoute, type EncodedStageOutput } from '../../shared/stage-outputs';
import { extractDocument, type ExtractionLimits } from './core';
import { isTextOrHtml } from './media-type';

/** The file's bytes travel beside the task (the sandbox's attachment). */
export interface ExtractTask {
  file: { sha256: string; fileName: string };
  limits: ExtractionLimits;
}

export interface Extracted {
  mediaType: string;
  output: EncodedStageOutput;
}

/**
 * Text and HTML files up to this size are read on the worker's own thread: one linear pass (decoding,
 * and for HTML htmlparser2 within the nesting limit) that costs a few milliseconds, less than the trip
 * to a reader process and back. Larger ones, and every other format, are read in a reader process.
 */
export const READ_IN_WORKER_MAX_BYTES = 1024 * 1024;

export function readsInWorker(bytes: Buffer, fileName: string): boolean {
  return bytes.length <= READ_IN_WORKER_MAX_BYTES && isTextOrHtml(bytes, fileName);
}

export async function extractForStore({ file, limits }: ExtractTask, bytes: Buffer): Promise<Extracted> {
  const { mediaType, pages } = await extractDocument({ fileName: file.fileName, bytes }, limits);
  return { mediaType, output: encodedWithRoute('ingest', { file: { ...file, mediaType }, pages }) };
}
