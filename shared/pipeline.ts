/**
 * The pipeline's shape in one place: stage order, queue names, job payloads and per-stage retry
 * and concurrency policy. Workers, the CLI and tests all read it from here.
 */
import { z } from 'zod';

export const STAGES = ['ingest', 'ocr', 'normalize', 'parse', 'validate', 'publish'] as const;
export type Stage = (typeof STAGES)[number];

/**
 * The version of what the stages produce. Raise it when a change alters records (a parser fix, a new
 * rule): re-ingesting a file published by an older version then reprocesses it, and
 * `gongkai reprocess --outdated` does so for every such document.
 */
export const PIPELINE_VERSION = 4;

export const DEAD_LETTER_QUEUE = 'dead-letter';

/**
 * The ocr stage fans out one job per scanned page on this queue, so the pages of one long scan spread
 * over every OCR worker on every machine; the document's ocr job waits for them as their parent.
 */
export const OCR_PAGE_QUEUE = 'ocr-page';

export function isStage(value: string): value is Stage {
  return (STAGES as readonly string[]).includes(value);
}

export function nextStage(stage: Stage): Stage | null {
  const index = STAGES.indexOf(stage);
  return index < STAGES.length - 1 ? STAGES[index + 1] : null;
}

export function queueName(stage: Stage): string {
  return stage;
}

export interface StagePolicy {
  /** Total tries, the first included. */
  attempts: number;
  /** Exponential backoff: delay before retry n is backoffMs · 2^(n-1). */
  backoffMs: number;
  /** Jobs one worker process runs at once for this stage. */
  concurrency: number;
}

/** CPU-bound stages run one job per core; I/O-bound stages overlap more. */
export const STAGE_POLICIES: Record<Stage, StagePolicy> = {
  ingest: { attempts: 4, backoffMs: 1000, concurrency: 4 },
  ocr: { attempts: 3, backoffMs: 2000, concurrency: 1 },
  normalize: { attempts: 4, backoffMs: 500, concurrency: 2 },
  parse: { attempts: 4, backoffMs: 500, concurrency: 2 },
  validate: { attempts: 4, backoffMs: 500, concurrency: 4 },
  publish: { attempts: 6, backoffMs: 1000, concurrency: 4 },
};

/**
 * BullMQ's exponential backoff, with up to this fraction of each delay randomised away so that jobs
 * that failed together (Redis or Postgres away for a minute) do not all retry at the same instant.
 */
export function backoffFor(policy: StagePolicy): { type: 'exponential'; delay: number; jitter: number } {
  return { type: 'exponential', delay: policy.backoffMs, jitter: 0.5 };
}

/** Operators and tests may override attempts and backoff for every stage (see shared/config.ts). */
export type RetryOverrides = Partial<Pick<StagePolicy, 'attempts' | 'backoffMs'>>;

export function stagePolicy(stage: Stage, overrides: RetryOverrides = {}): StagePolicy {
  return { ...STAGE_POLICIES[stage], ...overrides };
}

/** Every stage job names a document and the re-drive round it belongs to; the body lives in the blob store and Postgres. */
export const StageJobSchema = z.object({
  documentId: z.uuid(),
  /** Incremented by each re-drive or reprocess so the new jobs get fresh ids. */
  round: z.number().int().nonnegative(),
});
export type StageJob = z.infer<typeof StageJobSchema>;

export const OcrPageJobSchema = StageJobSchema.extend({ page: z.number().int().positive() });
export type OcrPageJob = z.infer<typeof OcrPageJobSchema>;

export function ocrPageJobId(job: OcrPageJob): string {
  return `${job.documentId}.${OCR_PAGE_QUEUE}.${job.page}.${job.round}`;
}

export const AttemptRecordSchema = z.object({
  attempt: z.number().int().positive(),
  error: z.string(),
  at: z.string(),
});

export const DeadLetterJobSchema = z.object({
  documentId: z.uuid(),
  round: z.number().int().nonnegative(),
  stage: z.enum(STAGES),
  errorCode: z.string(),
  error: z.string(),
  attempts: z.array(AttemptRecordSchema),
});
export type DeadLetterJob = z.infer<typeof DeadLetterJobSchema>;

/** Deterministic ids make a stage that runs twice (stalled job, crash after commit) enqueue its successor once. */
export function stageJobId(stage: Stage, job: StageJob): string {
  return `${job.documentId}.${stage}.${job.round}`;
}

export function deadLetterJobId(job: { documentId: string; stage: string; round: number }): string {
  return `${job.documentId}.${job.stage}.${job.round}`;
}
