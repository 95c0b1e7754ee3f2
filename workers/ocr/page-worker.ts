/**
 * The worker for ocr-page jobs: one scanned page each, so a long scan spreads over every OCR worker on
 * every machine. Each process keeps one pool of tesseract.js threads (GONGKAI_OCR_THREADS); recognition
 * runs in those threads, so the event loop stays free to renew job locks.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { getDocument, loadPages, savePageOcr, setPageOcrError } from '../../shared/db/documents';
import { describeError, isInfrastructureError, isPermanent } from '../../shared/errors';
import { OCR_PAGE_QUEUE, OcrPageJobSchema, type OcrPageJob } from '../../shared/pipeline';
import { redisOptions, type RedisOutageLog } from '../../shared/redis';
import { shouldWaitOut, waitOutOutage } from '../infrastructure-retry';
import type { StageContext } from '../runtime';
import { closePdfImageReader } from './page-image';
import { readScannedPage } from './scanned-page';
import { TesseractPool } from './tesseract-pool';

export interface OcrPageWorker {
  worker: Worker;
  close(): Promise<void>;
}

export function startOcrPageWorker(context: StageContext, redisUrl: string, outage: RedisOutageLog): OcrPageWorker {
  let pool: Promise<TesseractPool> | null = null;
  const ocrPool = (): Promise<TesseractPool> => {
    pool ??= TesseractPool.create({ size: context.config.ocrThreads }).catch((error: unknown) => {
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

  const processPage = async (job: Job, token?: string): Promise<void> => {
    const parsed = OcrPageJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid ${OCR_PAGE_QUEUE} job ${job.id}: ${parsed.error.message}`);
    try {
      await readPage(parsed.data);
    } catch (error) {
      if (shouldWaitOut(job, error, context.config.infrastructureRetryMs)) await waitOutOutage(job, token, error, OCR_PAGE_QUEUE);
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!isPermanent(error) && !lastAttempt) throw error;
      await setPageOcrError(context.db, parsed.data.documentId, parsed.data.page, describeError(error));
      throw new UnrecoverableError(describeError(error));
    }
  };

  const worker = new Worker(OCR_PAGE_QUEUE, processPage, {
    connection: redisOptions(redisUrl),
    prefix: context.config.queuePrefix,
    concurrency: context.config.ocrThreads,
    lockDuration: context.config.lockDurationMs,
    stalledInterval: context.config.lockDurationMs,
  });
  worker.on('error', (error) => (isInfrastructureError(error) ? outage.lost(error) : console.error(`[${OCR_PAGE_QUEUE}] worker error: ${describeError(error)}`)));
  return {
    worker,
    close: async () => {
      await worker.close();
      if (pool) await (await pool.catch(() => null))?.terminate();
      await closePdfImageReader();
    },
  };
}
