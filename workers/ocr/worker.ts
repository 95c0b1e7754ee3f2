import { loadPages, savePagesToRead, setPageOcrError } from '../../shared/db/pages';
import { PermanentError } from '../../shared/errors';
import { OCR_PAGE_QUEUE, ocrPageJobId } from '../../shared/pipeline';
import { pagesNeedingOcr } from '../../shared/record';
import type { StageHandler } from '../stage-worker';

/**
 * A document comes here only with a scanned page (others pass over this stage: routeAfter,
 * shared/pipeline.ts), or when an operator re-drives it from here. Text pages pass through. Scanned pages are written to the pages table and fan out as ocr-page jobs
 * (workers/ocr/page-worker.ts), which write what they read there; this job waits for them and runs
 * again, and the document moves on once every page is read. A page that failed for good dead-letters
 * the document; its error is cleared so that a re-drive reads it again.
 */
export const handleOcr: StageHandler<'ocr'> = async (job, { db }, stored, run) => {
  const input = stored.value;
  const scanned = pagesNeedingOcr(input.pages);
  if (scanned.length === 0) return { output: input };
  // Pages already there (from this round's earlier runs) keep what was read.
  await savePagesToRead(db, job.documentId, scanned);
  for (let fannedOut = 0; ; fannedOut++) {
    const read = new Map((await loadPages(db, job.documentId)).map((page) => [page.number, page]));
    const pages = input.pages.map((page) => read.get(page.number) ?? page);
    const failed = pages.filter((page) => page.ocrError);
    if (failed.length > 0) {
      await setPageOcrError(db, job.documentId, null, null);
      throw new PermanentError('OCR_FAILED', failed.map((page) => `page ${page.number}: ${page.ocrError}`).join('; '));
    }
    const unread = pagesNeedingOcr(pages);
    if (unread.length === 0) return { output: { file: input.file, pages } };
    if (fannedOut > 0) throw new Error(`pages ${unread.map((page) => page.number).join(', ')} finished without a result`);
    const children = unread.map((page) => ({ documentId: job.documentId, round: job.round, page: page.number }));
    await run.waitForChildren(OCR_PAGE_QUEUE, children.map((data) => ({ jobId: ocrPageJobId(data), data })));
  }
};
