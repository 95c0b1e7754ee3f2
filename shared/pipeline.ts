/**
 * The pipeline's shape in one place: stage order, queue names, job payloads and per-stage retry
 * and concurrency policy. Workers, the CLI and tests all read it from here.
 */
import { z } from 'zod';
import type { DocumentRow } from './db/schema';
import { pagesNeedingOcr, type ExtractedPage, type NormalizedDocument, type ParsedReport, type SourceInfo } from './record';
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
 * CPU-bound stages run one job per core; I/O-bound stages overlap more. The ocr stage's own job only
 * passes text pages on, or fans scanned pages out and waits for them, so it overlaps too. An OCR page
 * job holds one tesseract.js thread, so its concurrency is also the size of each process's tesseract
 * pool.
 */
const DEFAULT_POLICIES: PipelinePolicies = {
  ingest: { attempts: 4, backoffMs: 1000, concurrency: 4 },
  ocr: { attempts: 3, backoffMs: 2000, concurrency: 4 },
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

/**
 * What each stage hands the next, read by that stage alone; published writes the report instead. The
 * job layer keeps them in the stage-output store (shared/stage-outputs.ts), and the next stage's job
 * carries the key. What a later stage needs is carried forward, never read two stages back.
 */
export interface StageOutputs {
  /** The file's text, page by page. */
  ingest: SourcePages;
  /** The same pages with the scanned ones read. */
  ocr: SourcePages;
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

export interface SourcePages {
  file: { sha256: string; fileName: string; mediaType: string };
  pages: ExtractedPage[];
}

/** What each stage reads: its predecessor's output. Ingest reads the submitted file its document names. */
export const STAGE_INPUTS = {
  ingest: null,
  ocr: 'ingest',
  normalize: 'ocr',
  parse: 'normalize',
  validate: 'parse',
  publish: 'validate',
} as const satisfies Record<Stage, StoredStage | null>;

type InputOf<Source> = Source extends StoredStage ? StageOutputs[Source] : null;
export type StageInputs = { [S in Stage]: InputOf<(typeof STAGE_INPUTS)[S]> };
export type StageOutput<S extends Stage> = S extends StoredStage ? StageOutputs[S] : never;

/**
 * Stages a document passes over when its input leaves them nothing to do: a document without a scanned
 * page needs no OCR job. A stage listed here hands its input on unchanged when it runs, so the stage
 * after it reads the same output either way.
 */
const SKIPPED_WHEN: { [S in Stage]?: (input: StageInputs[S]) => boolean } = {
  ocr: (input) => pagesNeedingOcr(input.pages).length === 0,
};

export interface StageRoute {
  /** The stage the document goes to; null after publish. */
  next: Stage | null;
  /** The stages passed over on the way, each recorded as a skipped run with the same output. */
  skipped: Stage[];
}

/** Where a document goes once `stage` has produced `output`: the next stage with work to do. */
export function routeAfter<S extends Stage>(stage: S, output: StageOutput<S> | null): StageRoute {
  const skipped: Stage[] = [];
  let next = nextStage(stage);
  while (next && output !== null && (SKIPPED_WHEN[next] as ((input: unknown) => boolean) | undefined)?.(output)) {
    skipped.push(next);
    next = nextStage(next);
  }
  return { next, skipped };
}

/** A sha256 in hex: a submitted file's key in the blob store. */
export const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);

/** A stage output's key in the stage-output store (shared/stage-outputs.ts): its pack, offset, length and sha256. */
export const PACKED_OUTPUT_KEY = /^([0-9a-z]{12,40})\.(\d{1,15})\.(\d{1,15})\.([0-9a-f]{64})$/;
/** Packed keys, and the sha256 alone that named an output stored as a file of its own before packs. */
export const StageOutputKeySchema = z.union([z.string().regex(PACKED_OUTPUT_KEY), Sha256Schema]);

/** Every stage job names a document and the re-drive round it belongs to; bodies live in the blob store and Postgres. */
export const StageJobSchema = z.object({
  documentId: z.uuid(),
  /** Incremented by each re-drive or reprocess so the new jobs get fresh ids. */
  round: z.number().int().nonnegative(),
  /**
   * The key of the stage's input, its predecessor's output, set by the stage that hands the document
   * on. A re-drive, reprocess or recovery enqueues without it: the job layer looks it up.
   */
  input: StageOutputKeySchema.optional(),
  /** Ingest's input, the submitted file, when its submission enqueued it; without it ingest reads its document. */
  file: z.object({ sha256: Sha256Schema, name: z.string(), bytes: z.number().int().nonnegative() }).optional(),
});
export type StageJob = z.infer<typeof StageJobSchema>;
export type SubmittedFile = NonNullable<StageJob['file']>;

/** The job that starts a document at a stage: ingest's carries the submitted file, so that ingest need not read the document. */
export function stageJobFor(document: Pick<DocumentRow, 'id' | 'round' | 'sha256' | 'file_name' | 'size_bytes'>, stage: Stage): StageJob {
  const job = { documentId: document.id, round: document.round };
  return stage === 'ingest' ? { ...job, file: { sha256: document.sha256, name: document.file_name, bytes: document.size_bytes } } : job;
}

export const OcrPageJobSchema = StageJobSchema.omit({ input: true, file: true }).extend({ page: z.number().int().positive() });
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
