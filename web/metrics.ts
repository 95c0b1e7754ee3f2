/**
 * Prometheus metrics for the web server's /metrics. Everything is read at scrape time from Postgres
 * (stage runs, dead letters, documents) and Redis (queues), which every worker on every machine
 * writes to, so one scrape of the web server covers the whole pipeline.
 */
import { sql, type Kysely } from 'kysely';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { STAGES } from '../shared/pipeline';
import type { PipelineQueues } from '../shared/queues';
import { countDocumentsByStatus } from '../shared/db/documents';
import { findStuckWork } from '../shared/recovery';
import type { Database, DocumentStatus } from '../shared/db/schema';

/** The web server's own process metrics; a private registry so nothing else registered globally leaks in. */
const processRegistry = new Registry();
collectDefaultMetrics({ register: processRegistry });

/** Upper bounds of the duration histogram, in milliseconds as stage_runs stores them. */
const DURATION_BUCKETS_MS = [50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000, 300_000];

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children'] as const;
const DOCUMENT_STATUSES: readonly DocumentStatus[] = ['queued', 'processing', 'published', 'dead_lettered'];

export async function renderMetrics(db: Kysely<Database>, queues: PipelineQueues): Promise<{ contentType: string; body: string }> {
  const [stageMetrics, scrapeRegistry] = await Promise.all([renderStageMetrics(db), gaugeRegistry(db, queues)]);
  const [processText, gaugeText] = await Promise.all([processRegistry.metrics(), scrapeRegistry.metrics()]);
  return { contentType: processRegistry.contentType, body: `${stageMetrics}${gaugeText}${processText}` };
}

interface StageTotals {
  completed: number;
  skipped: number;
  failed: number;
  deadLettered: number;
  /** Finished runs with a duration: the histogram's count. */
  timed: number;
  durationMsSum: number;
  /** Cumulative counts, one per DURATION_BUCKETS_MS bound. */
  buckets: number[];
}

/**
 * The histogram and counters are written as text rather than through prom-client: their values are
 * totals Postgres already holds (one aggregate over stage_runs), not observations this process made,
 * and prom-client's Histogram and Counter can only accumulate observations.
 */
async function renderStageMetrics(db: Kysely<Database>): Promise<string> {
  const bucketCounts = sql<Array<number | string>>`array[${sql.join(
    DURATION_BUCKETS_MS.map((bound) => sql`count(duration_ms) filter (where duration_ms <= ${sql.lit(bound)})`),
  )}]`;
  const [runs, letters] = await Promise.all([
    db
      .selectFrom('stage_runs')
      .select((eb) => [
        'stage',
        eb.fn.countAll<number>().filterWhere('outcome', '=', 'completed').as('completed'),
        eb.fn.countAll<number>().filterWhere('outcome', '=', 'skipped').as('skipped'),
        eb.fn.countAll<number>().filterWhere('outcome', '=', 'failed').as('failed'),
        eb.fn.count<number>('duration_ms').as('timed'),
        eb.fn.sum<number | null>('duration_ms').as('duration_ms_sum'),
        bucketCounts.as('buckets'),
      ])
      .where('outcome', 'in', ['completed', 'skipped', 'failed'])
      .groupBy('stage')
      .execute(),
    db.selectFrom('dead_letters').select((eb) => ['stage', eb.fn.countAll<number>().as('n')]).groupBy('stage').execute(),
  ]);

  // Every stage appears, with zeros before its first run, so dashboards and rate() see the series from the start.
  const totals = new Map<string, StageTotals>();
  const totalsOf = (stage: string): StageTotals => {
    let entry = totals.get(stage);
    if (!entry) {
      entry = { completed: 0, skipped: 0, failed: 0, deadLettered: 0, timed: 0, durationMsSum: 0, buckets: DURATION_BUCKETS_MS.map(() => 0) };
      totals.set(stage, entry);
    }
    return entry;
  };
  for (const stage of STAGES) totalsOf(stage);
  for (const row of runs) {
    Object.assign(totalsOf(row.stage), {
      completed: Number(row.completed),
      skipped: Number(row.skipped),
      failed: Number(row.failed),
      timed: Number(row.timed),
      durationMsSum: Number(row.duration_ms_sum ?? 0),
      buckets: row.buckets.map(Number),
    });
  }
  for (const row of letters) totalsOf(row.stage).deadLettered = Number(row.n);

  const histogram = 'gongkai_stage_job_duration_seconds';
  const lines = [
    `# HELP ${histogram} Duration of finished stage job attempts (completed or failed).`,
    `# TYPE ${histogram} histogram`,
  ];
  for (const [stage, entry] of totals) {
    DURATION_BUCKETS_MS.forEach((bound, index) => {
      lines.push(sample(`${histogram}_bucket`, { stage, le: String(bound / 1000) }, entry.buckets[index]));
    });
    lines.push(sample(`${histogram}_bucket`, { stage, le: '+Inf' }, entry.timed));
    lines.push(sample(`${histogram}_sum`, { stage }, entry.durationMsSum / 1000));
    lines.push(sample(`${histogram}_count`, { stage }, entry.timed));
  }
  const counters: Array<[name: string, help: string, value: (entry: StageTotals) => number]> = [
    ['gongkai_stage_jobs_completed_total', 'Stage job attempts that completed.', (entry) => entry.completed],
    ['gongkai_stages_skipped_total', 'Documents that passed over a stage with nothing for it to do (OCR of a document without scanned pages).', (entry) => entry.skipped],
    ['gongkai_stage_jobs_failed_total', 'Stage job attempts that failed (each retry counts).', (entry) => entry.failed],
    ['gongkai_documents_dead_lettered_total', 'Documents dead-lettered at each stage, resolved or not.', (entry) => entry.deadLettered],
  ];
  for (const [name, help, value] of counters) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
    for (const [stage, entry] of totals) lines.push(sample(name, { stage }, value(entry)));
  }
  return `${lines.join('\n')}\n`;
}

function sample(name: string, labels: Record<string, string>, value: number): string {
  const labelText = Object.entries(labels)
    .map(([label, text]) => `${label}="${escapeLabelValue(text)}"`)
    .join(',');
  return `${name}{${labelText}} ${value}`;
}

/** The exposition format's escapes for label values: backslash, double quote and line feed. */
function escapeLabelValue(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Gauges of what is true now, in a registry made for this scrape so concurrent scrapes never share values. */
async function gaugeRegistry(db: Kysely<Database>, queues: PipelineQueues): Promise<Registry> {
  const [depths, documents, stuck] = await Promise.all([queues.depths(QUEUE_STATES), countDocumentsByStatus(db), findStuckWork({ db, queues })]);
  const registry = new Registry();
  const registers = [registry];
  const queueJobs = new Gauge({ name: 'gongkai_queue_jobs', help: 'Jobs in each BullMQ queue by state.', labelNames: ['queue', 'state'], registers });
  const queueWorkers = new Gauge({ name: 'gongkai_queue_workers', help: 'Workers on each BullMQ queue.', labelNames: ['queue'], registers });
  const documentsByStatus = new Gauge({ name: 'gongkai_documents', help: 'Documents by status.', labelNames: ['status'], registers });
  for (const queue of depths) {
    for (const state of QUEUE_STATES) queueJobs.set({ queue: queue.name, state }, queue.jobs[state]);
    queueWorkers.set({ queue: queue.name }, queue.workers);
  }
  const stuckDocuments = new Gauge({
    name: 'gongkai_stuck_documents',
    help: 'Documents queued or processing with no live job behind them (the reconciler requeues them; see gongkai status --stuck).',
    registers,
  });
  stuckDocuments.set(stuck.documents.length);
  for (const status of DOCUMENT_STATUSES) documentsByStatus.set({ status }, 0);
  for (const row of documents) documentsByStatus.set({ status: row.status }, row.count);
  return registry;
}
