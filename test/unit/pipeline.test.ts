import { DEAD_LETTER_QUEUE, JOB_QUEUES, OCR_PAGE_QUEUE, STAGES, StageJobSchema, backoffFor, isLastAttempt, loadPolicies, nextStage, routeAfter, stageJobId } from '../../shared/pipeline';
import type { ExtractedPage } from '../../shared/record';

describe('pipeline definition', () => {
  test('stages chain in the fixed order and end at publish', () => {
    expect(STAGES).toEqual(['ingest', 'ocr', 'normalize', 'parse', 'validate', 'publish']);
    const chain: string[] = ['ingest'];
    for (let stage = nextStage('ingest'); stage; stage = nextStage(stage)) chain.push(stage);
    expect(chain).toEqual([...STAGES]);
    expect(nextStage('publish')).toBeNull();
    expect(STAGES).not.toContain(DEAD_LETTER_QUEUE);
  });

  test('a document without a scanned page to read passes over OCR; every other stage hands on to the next', () => {
    const page = (number: number, needsOcr: boolean, read = false): ExtractedPage => ({
      number,
      text: needsOcr && !read ? '' : '一、总体情况',
      source: read ? 'ocr' : 'pdf-text',
      needsOcr,
      ocrReason: needsOcr ? 'no text layer' : null,
      ...(read ? { ocr: { rotation: 0, skewDegrees: 0, width: 10, height: 10, dpi: 300, meanConfidence: 90, boxes: [] } } : {}),
    });
    const file = { sha256: 'a'.repeat(64), fileName: 'report.pdf', mediaType: 'application/pdf' };
    expect(routeAfter('ingest', { file, pages: [page(1, false), page(2, false)] })).toEqual({ next: 'normalize', skipped: ['ocr'] });
    expect(routeAfter('ingest', { file, pages: [page(1, false), page(2, true)] })).toEqual({ next: 'ocr', skipped: [] });
    expect(routeAfter('ingest', { file, pages: [page(1, true, true)] })).toEqual({ next: 'normalize', skipped: ['ocr'] });
    expect(routeAfter('ocr', { file, pages: [page(1, true, true)] })).toEqual({ next: 'normalize', skipped: [] });
    expect(routeAfter('validate', null)).toEqual({ next: 'publish', skipped: [] });
    expect(routeAfter('publish', null)).toEqual({ next: null, skipped: [] });
  });

  test('job ids are deterministic per stage and round, so a repeated hand-off is one job', () => {
    const job = { documentId: '6f1c2b0e-6d4c-4d55-9a57-1b0f3f7a9c11', round: 2 };
    expect(stageJobId('parse', job)).toBe(stageJobId('parse', { ...job }));
    expect(stageJobId('parse', job)).not.toBe(stageJobId('parse', { ...job, round: 3 }));
    expect(stageJobId('parse', job)).not.toContain(':');
  });

  test('payloads carry only ids and are validated', () => {
    expect(StageJobSchema.safeParse({ documentId: '6f1c2b0e-6d4c-4d55-9a57-1b0f3f7a9c11', round: 0 }).success).toBe(true);
    expect(StageJobSchema.safeParse({ documentId: 'not-a-uuid', round: 0 }).success).toBe(false);
    expect(StageJobSchema.safeParse({ documentId: '6f1c2b0e-6d4c-4d55-9a57-1b0f3f7a9c11', round: -1 }).success).toBe(false);
  });

  test('retry and concurrency policy come from one table and can be overridden from the environment', () => {
    const defaults = loadPolicies({});
    expect(Object.keys(defaults)).toEqual([...JOB_QUEUES]);
    expect(defaults.publish).toEqual({ attempts: 6, backoffMs: 1000, concurrency: 4 });
    expect(backoffFor(defaults.publish)).toEqual({ type: 'exponential', delay: 1000, jitter: 0.5 });
    const overridden = loadPolicies({ GONGKAI_ATTEMPTS: '2', GONGKAI_BACKOFF_MS: '10', GONGKAI_OCR_THREADS: '3' });
    for (const queue of JOB_QUEUES) expect(overridden[queue]).toMatchObject({ attempts: 2, backoffMs: 10 });
    expect(overridden.publish.concurrency).toBe(4);
    expect(overridden[OCR_PAGE_QUEUE].concurrency).toBe(3);
    expect(() => loadPolicies({ GONGKAI_ATTEMPTS: '0' })).toThrow('GONGKAI_ATTEMPTS');
  });

  test('a try is the last when it uses up the attempts the job was enqueued with, else the policy’s', () => {
    const policy = { attempts: 3 };
    expect(isLastAttempt({ attemptsMade: 1, opts: { attempts: 3 } }, policy)).toBe(false);
    expect(isLastAttempt({ attemptsMade: 2, opts: { attempts: 3 } }, policy)).toBe(true);
    expect(isLastAttempt({ attemptsMade: 1, opts: { attempts: 2 } }, policy)).toBe(true);
    expect(isLastAttempt({ attemptsMade: 1, opts: {} }, policy)).toBe(false);
    expect(isLastAttempt({ attemptsMade: 2, opts: {} }, policy)).toBe(true);
  });
});
