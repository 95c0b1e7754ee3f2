/**
 * The worker for ocr-page jobs, the children the ocr stage fans out: one scanned page each, so a long
 * scan spreads over every OCR worker on every machine. Each process keeps one pool of tesseract.js
 * threads, as many as the queue's concurrency (GONGKAI_OCR_THREADS); recognition runs in those threads,
 * so the event loop stays free to renew job locks.
 */
import type { Worker } from 'bullmq';
import { getDocument } from '../../shared/db/documents';
import { loadPages, savePageOcr, setPageOcrError } from '../../shared/db/pages';
import { describeError } from '../../shared/errors';
import { OCR_PAGE_QUEUE, OcrPageJobSchema, type OcrPageJob } from '../../shared/pipeline';
import type { PipelineQueues } from '../../shared/queues';
import { startJobWorker } from '../job-worker';
import type { StageContext } from '../stage-worker';
import { closePdfImageReader } from './page-image';
import { readScannedPage } from './scanned-page';
import { TesseractPool } from './tesseract-pool';

export interface OcrPageWorker {
  worker: Worker;
  close(): Promise<void>;
}

export function startOcrPageWorker(context: StageContext, queues: PipelineQueues, redisUrl: string): OcrPageWorker {
  const policy = context.config.policies[OCR_PAGE_QUEUE];
  let pool: Promise<TesseractPool> | null = null;
  const ocrPool = (): Promise<TesseractPool> => {
    pool ??= TesseractPool.create({ size: policy.concurrency }).catch((error: unknown) => {
      pool = null;
      throw error;
    });
    return pool;
  };

  const readPage = async (page: OcrPageJob): Promise<void> => {
    const { documentId, round } = page;
    const document = await getDocument(context.db, documentId);
    if (!document || document.round !== round) return;
    const current = (await loadPages(context.db, documentId)).find((candidate) => candidate.number === page.page);
    if (!current || current.ocr) return;
    const bytes = await context.blobs.get(document.sha256);
    const read = await readScannedPage(bytes, document.media_type ?? '', page.page, await ocrPool());
    await savePageOcr(context.db, documentId, page.page, read);
  };

  const worker = startJobWorker<OcrPageJob, null>({
    queue: OCR_PAGE_QUEUE,
    schema: OcrPageJobSchema,
    policy,
    queues,
    redisUrl,
    config: context.config,
    newAttempt: () => null,
    handler: ({ payload }) => readPage(payload),
    // The parent ocr job runs again once every page has finished, and dead-letters the document naming this page.
    onGiveUp: (payload, error) => setPageOcrError(context.db, payload.documentId, payload.page, describeError(error)),
  });
  return {
    worker,
    close: async () => {
      await worker.close();
      if (pool) await (await pool.catch(() => null))?.terminate();
      await closePdfImageReader();
    },
  };
}
