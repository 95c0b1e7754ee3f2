/** Scans through the real pipeline: the ocr stage fans out one ocr-page job per page and moves on when the last is read. */
import fs from 'node:fs';
import path from 'node:path';
import { waitForDocuments } from '../../cli/wait';
import { documentPages } from '../../shared/db/browse';
import { submitFile } from '../../shared/submissions';
import { pipelineUnderTest } from '../support/pipeline';

jest.setTimeout(300_000);

const SCANS = path.resolve(__dirname, '../fixtures/scans');

describe('scanned reports in the pipeline', () => {
  const pipeline = pipelineUnderTest({ GONGKAI_OCR_THREADS: '2' });

  test('a scanned PDF and a multi-page TIFF are read page by page and published', async () => {
    const runtime = pipeline.runtime();
    const ids: string[] = [];
    for (const name of ['001-nonzero-scan.pdf', '003-scan.tif']) {
      ids.push((await submitFile(runtime, { bytes: fs.readFileSync(path.join(SCANS, name)), fileName: name })).documentId);
    }
    const outcome = await waitForDocuments(runtime.db, ids, { timeoutMs: 240_000, quiet: true });
    expect(outcome).toEqual({ published: 2, deadLettered: 0, unfinished: 0 });

    const pageJobs = await runtime.queues.ocrPages.getJobCounts('completed', 'failed');
    expect(pageJobs).toEqual({ completed: 8, failed: 0 });
    const ocrRuns = await runtime.db.selectFrom('stage_runs').select(['document_id', 'outcome']).where('stage', '=', 'ocr').execute();
    expect(ocrRuns.filter((run) => run.outcome === 'waiting')).toHaveLength(2);
    expect(ocrRuns.filter((run) => run.outcome === 'completed')).toHaveLength(2);

    for (const id of ids) {
      const pages = await documentPages(runtime.db, runtime.outputs, id);
      expect(pages).toHaveLength(4);
      expect(pages.every((page) => page.source === 'ocr' && page.ocr !== undefined && page.text.length > 0)).toBe(true);
    }
    const reports = await runtime.db.selectFrom('reports').select(['agency', 'year', 'template']).where('document_id', 'in', ids).orderBy('agency').execute();
    expect(reports).toEqual([
      { agency: '湛河区城市管理局', year: 2021, template: '2021' },
      { agency: expect.stringContaining('米易县'), year: 2021, template: '2021' },
    ]);
    const licensing = await runtime.db
      .selectFrom('cells')
      .select(['value', 'provenance'])
      .where('document_id', '=', ids[1])
      .where('table_name', '=', 'active')
      .where('row_key', '=', 'licensing')
      .executeTakeFirstOrThrow();
    expect(licensing.value).toBe('9544');
    expect(licensing.provenance).toMatchObject({ page: expect.any(Number), bbox: expect.any(Array), confidence: expect.any(Number) });
  });
});
