import { DEAD_LETTER_QUEUE, STAGES, StageJobSchema, backoffFor, nextStage, stageJobId, stagePolicy } from '../../shared/pipeline';

describe('pipeline definition', () => {
  test('stages chain in the fixed order and end at publish', () => {
    expect(STAGES).toEqual(['ingest', 'ocr', 'normalize', 'parse', 'validate', 'publish']);
    const chain: string[] = ['ingest'];
    for (let stage = nextStage('ingest'); stage; stage = nextStage(stage)) chain.push(stage);
    expect(chain).toEqual([...STAGES]);
    expect(nextStage('publish')).toBeNull();
    expect(STAGES).not.toContain(DEAD_LETTER_QUEUE);
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

  test('retry policy comes from one table and can be overridden from the environment', () => {
    expect(stagePolicy('publish')).toMatchObject({ attempts: 6 });
    expect(stagePolicy('publish', { attempts: 2, backoffMs: 10 })).toMatchObject({ attempts: 2, backoffMs: 10, concurrency: 4 });
    expect(backoffFor(stagePolicy('publish'))).toEqual({ type: 'exponential', delay: 1000, jitter: 0.5 });
  });
});
