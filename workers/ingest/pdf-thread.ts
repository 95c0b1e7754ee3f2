/** Entry of the PDF reader thread started by pdf.ts: reads PDFs one at a time, answering each job by id. */
import { parentPort } from 'node:worker_threads';
import { PermanentError, type PermanentErrorCode } from '../../shared/errors';
import type { ExtractedPage } from '../../shared/record';
import { readPdfPages } from './pdf-text';

export interface PdfJob {
  id: number;
  bytes: Uint8Array;
  maxPages: number;
}

export type PdfOutcome = { id: number } & (
  | { ok: true; pages: ExtractedPage[] }
  | { ok: false; permanent: { code: PermanentErrorCode; message: string } | null; message: string }
);

async function readJob({ id, bytes, maxPages }: PdfJob): Promise<PdfOutcome> {
  try {
    const pages = await readPdfPages(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), maxPages);
    return { id, ok: true, pages };
  } catch (error) {
    // Error classes do not survive postMessage; send what is needed to rebuild a PermanentError.
    const permanent = error instanceof PermanentError ? { code: error.code, message: error.message } : null;
    return { id, ok: false, permanent, message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}

if (parentPort !== null) {
  const port = parentPort;
  port.on('message', (job: PdfJob) => void readJob(job).then((outcome) => port.postMessage(outcome)));
}
