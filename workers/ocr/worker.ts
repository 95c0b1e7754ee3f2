import { loadPages, setPageOcrError } from '../../shared/db/pages';
import { PermanentError } from '../../shared/errors';
import { OCR_PAGE_QUEUE, ocrPageJobId } from '../../shared/pipeline';
import type { StageHandler } from '../stage-worker';
import { pagesNeedingOcr } from './core';

/**
 * Text pages pass through. Scanned pages fan out as ocr-page jobs (workers/ocr/page-worker.ts); this
 * job waits for them and runs again, and the document moves on once every page is read. A page that
 * failed for good dead-letters the document; its error is cleared so that a re-drive reads it again.
 */
export const handleOcr: StageHandler<'ocr'> = async (job, { db }, _document, input, run) => {
  for (let fannedOut = 0; ; fannedOut++) {
    // After the page jobs, the pages as they have read them.
    const pages = fannedOut === 0 ? input : await loadPages(db, job.documentId);
    const failed = pages.filter((page) => page.ocrError);
    if (failed.length > 0) {
      await setPageOcrError(db, job.documentId, null, null);
      throw new PermanentError('OCR_FAILED', failed.map((page) => `page ${page.number}: ${page.ocrError}`).join('; '));
    }
    const unread = pagesNeedingOcr(pages);
    if (unread.length === 0) return;
    if (fannedOut > 1) throw new Error(`pages ${unread.map((page) => page.number).join(', ')} finished without a result`);
    const children = unread.map((page) => ({ ...job, page: page.number }));
    await run.waitForChildren(OCR_PAGE_QUEUE, children.map((data) => ({ jobId: ocrPageJobId(data), data })));
  }
};
