/** /metrics: stage histograms and counters from Postgres, queue gauges from Redis, process metrics, all valid exposition text. */
import fs from 'node:fs';
import path from 'node:path';
import { waitForDocuments } from '../../cli/wait';
import { STAGES } from '../../shared/pipeline';
import { submitFile } from '../../shared/submissions';
import { renderMetrics } from '../../web/metrics';
import { SAMPLES_DIR } from '../support/environment';
import { pipelineUnderTest } from '../support/pipeline';

jest.setTimeout(90_000);

const SAMPLE_LINE = /^[a-z_:][a-z0-9_:]*(\{[^}]*\})? ([-0-9.e+Inf]+|NaN)$/i;
const BUCKETS = ['0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '30', '60', '120', '300', '+Inf'];

/** The value of the one sample line with exactly this name and label text. */
function valueOf(body: string, series: string): number {
  const lines = body.split('\n').filter((line) => line.startsWith(`${series} `));
  expect(lines).toHaveLength(1);
  return Number(lines[0].slice(series.length + 1));
}

describe('metrics', () => {
  const pipeline = pipelineUnderTest();
  const db = () => pipeline.runtime().db;
  const render = () => renderMetrics(db(), pipeline.runtime().queues);
  let documentId: string;

  beforeAll(async () => {
    const bytes = fs.readFileSync(path.join(SAMPLES_DIR, '003_6f6c780c05ed1855.txt'));
    documentId = (await submitFile(pipeline.runtime(), { bytes, fileName: '003_6f6c780c05ed1855.txt' })).documentId;
    expect(await waitForDocuments(db(), [documentId], { timeoutMs: 60_000, quiet: true })).toMatchObject({ published: 1 });
    // The document reads published as soon as publish commits; its stage run and BullMQ job finish a moment later.
    const publishFinished = async () => {
      const runs = await db().selectFrom('stage_runs').select('id').where('stage', '=', 'publish').where('outcome', '=', 'completed').execute();
      return runs.length > 0 && (await pipeline.runtime().queues.stages.publish.getJobCountByTypes('completed')) > 0;
    };
    for (const deadline = Date.now() + 10_000; !(await publishFinished()) && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  test('the body is Prometheus text format 0.0.4, every line a comment or a valid sample', async () => {
    const { contentType, body } = await render();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(body.endsWith('\n')).toBe(true);
    const invalid = body
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .filter((line) => !SAMPLE_LINE.test(line));
    expect(invalid).toEqual([]);
    const types = body.split('\n').filter((line) => line.startsWith('# TYPE '));
    expect(new Set(types).size).toBe(types.length);
  });

  test('the duration histogram has every stage, cumulative buckets ending in +Inf = count', async () => {
    const { body } = await render();
    expect(body).toContain('# TYPE gongkai_stage_job_duration_seconds histogram');
    expect(valueOf(body, 'gongkai_stage_job_duration_seconds_count{stage="publish"}')).toBeGreaterThanOrEqual(1);
    for (const stage of STAGES) {
      const buckets = BUCKETS.map((le) => valueOf(body, `gongkai_stage_job_duration_seconds_bucket{stage="${stage}",le="${le}"}`));
      buckets.slice(1).forEach((count, index) => expect(count).toBeGreaterThanOrEqual(buckets[index]));
      const count = valueOf(body, `gongkai_stage_job_duration_seconds_count{stage="${stage}"}`);
      expect(buckets.at(-1)).toBe(count);
      expect(valueOf(body, `gongkai_stage_job_duration_seconds_sum{stage="${stage}"}`)).toBeGreaterThanOrEqual(0);
    }
    const runs = await db()
      .selectFrom('stage_runs')
      .select('duration_ms')
      .where('stage', '=', 'ingest')
      .where('outcome', 'in', ['completed', 'failed'])
      .execute();
    const seconds = runs.reduce((sum, run) => sum + run.duration_ms!, 0) / 1000;
    expect(valueOf(body, 'gongkai_stage_job_duration_seconds_count{stage="ingest"}')).toBe(runs.length);
    expect(valueOf(body, 'gongkai_stage_job_duration_seconds_sum{stage="ingest"}')).toBeCloseTo(seconds, 6);
  });

  test('the counters count attempts by outcome and dead letters, with zeros for what never happened', async () => {
    const { body } = await render();
    for (const stage of STAGES) {
      // The one document here is text: it passed over OCR.
      expect(valueOf(body, `gongkai_stage_jobs_completed_total{stage="${stage}"}`)).toBe(stage === 'ocr' ? 0 : 1);
      expect(valueOf(body, `gongkai_stages_skipped_total{stage="${stage}"}`)).toBe(stage === 'ocr' ? 1 : 0);
      expect(valueOf(body, `gongkai_stage_jobs_failed_total{stage="${stage}"}`)).toBe(0);
      expect(valueOf(body, `gongkai_documents_dead_lettered_total{stage="${stage}"}`)).toBe(0);
    }
    expect(body).toContain('# TYPE gongkai_stage_jobs_completed_total counter');
  });

  test('queue gauges cover every queue and state; documents are counted by status', async () => {
    const { body } = await render();
    for (const queue of pipeline.runtime().queues.all()) {
      for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children']) {
        expect(valueOf(body, `gongkai_queue_jobs{queue="${queue.name}",state="${state}"}`)).toBeGreaterThanOrEqual(0);
      }
      expect(valueOf(body, `gongkai_queue_workers{queue="${queue.name}"}`)).toBeGreaterThanOrEqual(0);
    }
    expect(valueOf(body, 'gongkai_queue_jobs{queue="publish",state="completed"}')).toBeGreaterThanOrEqual(1);
    expect(valueOf(body, 'gongkai_queue_workers{queue="publish"}')).toBeGreaterThanOrEqual(1);
    expect(valueOf(body, 'gongkai_documents{status="published"}')).toBe(1);
    expect(valueOf(body, 'gongkai_documents{status="dead_lettered"}')).toBe(0);
    // Everything went through: nothing is left without a job.
    expect(valueOf(body, 'gongkai_stuck_documents')).toBe(0);
  });

  test('process metrics come from a private registry', async () => {
    const { body } = await render();
    expect(body).toMatch(/^process_cpu_user_seconds_total [0-9.e+-]+$/m);
    expect(body).toMatch(/^nodejs_heap_size_used_bytes [0-9.e+-]+$/m);
  });

  test('failed attempts, dead letters and odd stage names show up, label values escaped', async () => {
    const oddStage = 'odd "stage"\\with\nbreak';
    const run = { document_id: documentId, round: 0, attempt: 1, worker: 'test', started_at: new Date(), finished_at: new Date() };
    await db()
      .insertInto('stage_runs')
      .values([
        { ...run, stage: 'parse', outcome: 'failed', duration_ms: 400_000, error: 'boom' },
        { ...run, stage: oddStage, outcome: 'completed', duration_ms: 10, error: null },
      ])
      .execute();
    await db()
      .insertInto('dead_letters')
      .values({ document_id: documentId, stage: 'parse', round: 0, error_code: 'test', message: 'boom', stack: null, attempts: '[]', payload: '{}' })
      .execute();
    await db().updateTable('dead_letters').set({ resolved_at: new Date() }).where('document_id', '=', documentId).execute();

    const { body } = await render();
    expect(valueOf(body, 'gongkai_stage_jobs_failed_total{stage="parse"}')).toBe(1);
    // Resolved, yet still counted: a counter never goes down.
    expect(valueOf(body, 'gongkai_documents_dead_lettered_total{stage="parse"}')).toBe(1);
    // 400 s is past the last bound: only +Inf counts it.
    const parse = (le: string) => valueOf(body, `gongkai_stage_job_duration_seconds_bucket{stage="parse",le="${le}"}`);
    expect(parse('+Inf') - parse('300')).toBe(1);
    expect(valueOf(body, 'gongkai_stage_job_duration_seconds_bucket{stage="odd \\"stage\\"\\\\with\\nbreak",le="0.05"}')).toBe(1);
    expect(body.split('\n').filter((line) => line !== '' && !line.startsWith('#') && !SAMPLE_LINE.test(line))).toEqual([]);
  });
});
