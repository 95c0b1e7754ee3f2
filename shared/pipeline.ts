/**
 * The pipeline's shape in one place: stage order, queue names, job payloads and per-stage retry
 * and concurrency policy. Workers, the CLI and tests all read it from here.
 */
import { z } from 'zod';
import type { ExtractedPage, NormalizedDocument, ParsedReport, SourceInfo } from './record';
import { positiveSetting } from './settings';

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

/** The queues of the child jobs a stage fans out (workers/job-worker.ts waitForChildren), which run wherever the stage runs. */
export const CHILD_QUEUES: Partial<Record<Stage, readonly JobQueue[]>> = { ocr: [OCR_PAGE_QUEUE] };

/** Every queue a worker takes jobs from: the stages, and the scanned pages the ocr stage fans out. */
export const JOB_QUEUES = [...STAGES, OCR_PAGE_QUEUE] as const;
export type JobQueue = (typeof JOB_QUEUES)[number];

export interface JobPolicy {
  /** Total tries, the first included. */
  attempts: number;
  /** Exponential backoff: delay before retry n is backoffMs · 2^(n-1). */
  backoffMs: number;
  /** Jobs one worker process runs at once from this queue. */
  concurrency: number;
}

export type PipelinePolicies = Record<JobQueue, JobPolicy>;

/**
 * CPU-bound stages run one job per core; I/O-bound stages overlap more. An OCR page job holds one
 * tesseract.js thread, so its concurrency is also the size of each process's tesseract pool.
 */
const DEFAULT_POLICIES: PipelinePolicies = {
  ingest: { attempts: 4, backoffMs: 1000, concurrency: 4 },
  ocr: { attempts: 3, backoffMs: 2000, concurrency: 1 },
  normalize: { attempts: 4, backoffMs: 500, concurrency: 2 },
  parse: { attempts: 4, backoffMs: 500, concurrency: 2 },
  validate: { attempts: 4, backoffMs: 500, concurrency: 4 },
  publish: { attempts: 6, backoffMs: 1000, concurrency: 4 },
  [OCR_PAGE_QUEUE]: { attempts: 3, backoffMs: 2000, concurrency: 1 },
};

/**
 * The policy of every queue, with the operator's overrides: GONGKAI_ATTEMPTS and GONGKAI_BACKOFF_MS
 * replace every queue's retry policy (tests shorten them), GONGKAI_OCR_THREADS sets how many pages one
 * process reads at once.
 */
export function loadPolicies(env: NodeJS.ProcessEnv = process.env): PipelinePolicies {
  const retry = {
    ...(env.GONGKAI_ATTEMPTS ? { attempts: positiveSetting(env, 'GONGKAI_ATTEMPTS', 1) } : {}),
    ...(env.GONGKAI_BACKOFF_MS ? { backoffMs: positiveSetting(env, 'GONGKAI_BACKOFF_MS', 1) } : {}),
  };
  const policies = Object.fromEntries(JOB_QUEUES.map((queue) => [queue, { ...DEFAULT_POLICIES[queue], ...retry }])) as PipelinePolicies;
  policies[OCR_PAGE_QUEUE].concurrency = positiveSetting(env, 'GONGKAI_OCR_THREADS', DEFAULT_POLICIES[OCR_PAGE_QUEUE].concurrency);
  return policies;
}

/**
 * Whether this try is a job's last. The attempts it was enqueued with count (an operator may have
 * changed the policy since); the policy answers for a job enqueued without them.
 */
export function isLastAttempt(job: { attemptsMade: number; opts: { attempts?: number } }, policy: Pick<JobPolicy, 'attempts'>): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? policy.attempts);
}

/**
 * BullMQ's exponential backoff, with up to this fraction of each delay randomised away so that jobs
 * that failed together (Redis or Postgres away for a minute) do not all retry at the same instant.
 */
export function backoffFor(policy: JobPolicy): { type: 'exponential'; delay: number; jitter: number } {
  return { type: 'exponential', delay: policy.backoffMs, jitter: 0.5 };
}

/** Every stage job names a document and the re-drive round it belongs to; the body lives in the blob store and Postgres. */
/**
 * What each stage hands the next, read by that stage alone. Ingest's and ocr's hand-off is the pages
 * table (shared/db/pages.ts), which the web pages also show; the others are stored by
 * shared/db/stage-outputs.ts. What a later stage needs is carried forward, never read two stages back.
 */
export interface StageOutputs {
  normalize: {
    normalized: NormalizedDocument;
    source: SourceInfo;
    /** The first page's opening, which places the agency (shared/db/places.ts). */
    opening: string | null;
  };
  parse: {
    parsed: ParsedReport;
    /** The text outside the tables, which validate searches for tampering. */
    bodyText: string;
    opening: string | null;
  };
  validate: {
    /** The parsed report with validation's findings added to parse's: what publish writes. */
    report: ParsedReport;
    opening: string | null;
  };
}
export type StoredStage = keyof StageOutputs;

/** What each stage reads: its predecessor's output, which the job layer loads with the run's opening statement. */
export const STAGE_INPUTS = {
  ingest: null,
  ocr: 'pages',
  normalize: 'pages',
  parse: 'normalize',
  validate: 'parse',
  publish: 'validate',
} as const satisfies Record<Stage, 'pages' | StoredStage | null>;

type InputOf<Source> = Source extends StoredStage ? StageOutputs[Source] : Source extends 'pages' ? ExtractedPage[] : null;
export type StageInputs = { [S in Stage]: InputOf<(typeof STAGE_INPUTS)[S]> };

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
