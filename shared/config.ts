/** Runtime configuration, read from the environment in one place. */
import os from 'node:os';
import path from 'node:path';
import { loadPolicies, type PipelinePolicies } from './pipeline';
import { queuePrefixFor } from './redis';
import { positiveSetting } from './settings';

export interface Config {
  /** Blobs, embedded Postgres and the private Redis live here. */
  dataDir: string;
  blobDir: string;
  /** What each stage hands the next (shared/stage-outputs.ts): shared by every worker, like the blobs. */
  stageOutputDir: string;
  /** Null: embedded Postgres (PGlite) in the data directory. */
  databaseUrl: string | null;
  /** Postgres schema holding gongkai's tables (tests use one per run). */
  dbSchema: string;
  /** Null: a private redis-server started from PATH in the data directory. */
  redisUrl: string | null;
  /** BullMQ key prefix (tests use one per run); a hash tag such as `{gongkai}` on a Redis Cluster. */
  queuePrefix: string;
  /** Files above this size are refused at ingest. */
  maxFileBytes: number;
  maxPages: number;
  /** Reading one document's text (the PDF reader thread) may take this long before TOO_LARGE. */
  documentTimeoutMs: number;
  /** Limits on reading untrusted files (ingest's readers and parse, in sandbox processes): see workers/sandbox.ts. */
  readLimits: ReadLimits;
  /** How long a worker's job lock lasts; a crashed worker's jobs are picked up again after it. */
  lockDurationMs: number;
  /**
   * How long a job waits for Postgres, Redis or the blob store to come back, retrying with backoff,
   * before the outage starts to use up the document's attempts.
   */
  infrastructureRetryMs: number;
  /** How often each worker process looks for documents no job is working on (see shared/stuck.ts). */
  reconcileIntervalMs: number;
  /** Retry and concurrency of every queue, with the environment's overrides (shared/pipeline.ts). */
  policies: PipelinePolicies;
  web: WebConfig;
}

/** What one document may cost to read; a file over any of these is dead-lettered as TOO_LARGE. */
export interface ReadLimits {
  /** Reader processes per worker process, shared by ingest and parse (workers/sandbox.ts): by default this process's share of the cores. */
  processes: number;
  /**
   * Parse runs on the worker's own thread (under a watchdog, workers/parse/worker.ts) rather than in a
   * reader: true when this process has less than two cores of its own, so a reader would only be one
   * more process taking turns on them.
   */
  parseOnWorkerThread: boolean;
  /** Resident memory of one sandbox process (decoded buffers included); killed above it. */
  memoryMb: number;
  /** Characters of text one document may have (plain text is refused before decoding past 4 bytes per character). */
  maxTextCharacters: number;
  /** HTML (and DOCX converted to HTML) may be this large before decoding. */
  maxHtmlBytes: number;
  /** Elements nested deeper than this in HTML or DOCX are no report layout. */
  maxNestingDepth: number;
  /** All entries of a DOCX or OFD together, counted as actually inflated; also any one PDF stream other than an image. */
  maxInflatedBytes: number;
  /** A DOCX or OFD entry over 1 MB inflating to more than this many times its compressed size is a zip bomb. */
  maxCompressionRatio: number;
}

/** `gongkai serve`. */
export interface WebConfig {
  host: string;
  port: number;
  /** Bearer token with the operator role, for API clients (pages use named accounts). */
  operatorToken: string | null;
  /** Bearer token with the viewer role, e.g. for Prometheus; once set, viewing needs a credential. */
  viewerToken: string | null;
  /** The first admin account, created at server start when missing (an existing account is left as it is). */
  adminUser: string | null;
  adminPassword: string | null;
  /** The site's public address (behind a proxy): the Origin a state-changing request may come from, besides the Host. */
  publicUrl: string | null;
  /** A session ends after this long without a request, and after sessionMaxMs whatever happens. */
  sessionIdleMs: number;
  sessionMaxMs: number;
  /** URL import may fetch from private, loopback and link-local addresses. */
  allowPrivateImports: boolean;
  /** CSV of the agencies expected to report (division_code,agency,aliases), for the submissions view, the roll-up's missing agencies and placing reports. */
  expectedAgenciesFile: string | null;
  /** Files one upload may bring, the entries of its ZIPs included. */
  maxUploadFiles: number;
  /** A ZIP as uploaded (compressed). */
  maxZipBytes: number;
  /** All files of one upload together, ZIP entries counted inflated. */
  maxUploadBytes: number;
  /** A ZIP entry inflating to more than this many times its compressed size is refused (zip bombs). */
  maxCompressionRatio: number;
  importTimeoutMs: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.GONGKAI_DATA_DIR || '.gongkai');
  // The machine's cores, shared by the worker processes the operator runs on it (GONGKAI_WORKER_PROCESSES).
  const coresPerWorker = os.availableParallelism() / positiveSetting(env, 'GONGKAI_WORKER_PROCESSES', 1);
  return {
    dataDir,
    blobDir: path.resolve(env.GONGKAI_BLOB_DIR || path.join(dataDir, 'blobs')),
    stageOutputDir: path.resolve(env.GONGKAI_STAGE_OUTPUT_DIR || path.join(env.GONGKAI_BLOB_DIR || path.join(dataDir, 'blobs'), 'stage-outputs')),
    databaseUrl: env.DATABASE_URL || null,
    dbSchema: env.GONGKAI_DB_SCHEMA || 'public',
    redisUrl: env.REDIS_URL || null,
    queuePrefix: queuePrefixFor(env.REDIS_URL, env.GONGKAI_QUEUE_PREFIX || 'gongkai'),
    maxFileBytes: positiveSetting(env, 'GONGKAI_MAX_FILE_MB', 100) * 1024 * 1024,
    maxPages: positiveSetting(env, 'GONGKAI_MAX_PAGES', 500),
    documentTimeoutMs: positiveSetting(env, 'GONGKAI_DOCUMENT_TIMEOUT_S', 120) * 1000,
    readLimits: {
      processes: positiveSetting(env, 'GONGKAI_READER_PROCESSES', Math.max(1, Math.floor(coresPerWorker))),
      parseOnWorkerThread: coresPerWorker < 2,
      memoryMb: positiveSetting(env, 'GONGKAI_READ_MEMORY_MB', 768),
      maxTextCharacters: positiveSetting(env, 'GONGKAI_MAX_TEXT_CHARS', 2_000_000),
      maxHtmlBytes: positiveSetting(env, 'GONGKAI_MAX_HTML_MB', 32) * 1024 * 1024,
      maxNestingDepth: positiveSetting(env, 'GONGKAI_MAX_NESTING', 256),
      maxInflatedBytes: positiveSetting(env, 'GONGKAI_MAX_INFLATED_MB', 256) * 1024 * 1024,
      maxCompressionRatio: positiveSetting(env, 'GONGKAI_MAX_READ_RATIO', 200),
    },
    lockDurationMs: positiveSetting(env, 'GONGKAI_LOCK_MS', 30_000),
    infrastructureRetryMs: positiveSetting(env, 'GONGKAI_INFRA_RETRY_MINUTES', 30) * 60_000,
    reconcileIntervalMs: positiveSetting(env, 'GONGKAI_RECONCILE_SECONDS', 30) * 1000,
    policies: loadPolicies(env),
    web: {
      host: env.GONGKAI_WEB_HOST || '127.0.0.1',
      port: env.GONGKAI_WEB_PORT === '0' ? 0 : positiveSetting(env, 'GONGKAI_WEB_PORT', 8080),
      operatorToken: env.GONGKAI_OPERATOR_TOKEN || null,
      viewerToken: env.GONGKAI_VIEWER_TOKEN || null,
      adminUser: env.GONGKAI_ADMIN_USER || null,
      adminPassword: env.GONGKAI_ADMIN_PASSWORD || null,
      publicUrl: env.GONGKAI_PUBLIC_URL || null,
      sessionIdleMs: positiveSetting(env, 'GONGKAI_SESSION_IDLE_MINUTES', 60) * 60_000,
      sessionMaxMs: positiveSetting(env, 'GONGKAI_SESSION_HOURS', 12) * 3600_000,
      allowPrivateImports: env.GONGKAI_IMPORT_ALLOW_PRIVATE === '1' || env.GONGKAI_IMPORT_ALLOW_PRIVATE === 'true',
      expectedAgenciesFile: env.GONGKAI_EXPECTED_AGENCIES ? path.resolve(env.GONGKAI_EXPECTED_AGENCIES) : null,
      maxUploadFiles: positiveSetting(env, 'GONGKAI_MAX_UPLOAD_FILES', 5000),
      maxZipBytes: positiveSetting(env, 'GONGKAI_MAX_ZIP_MB', 2048) * 1024 * 1024,
      maxUploadBytes: positiveSetting(env, 'GONGKAI_MAX_UPLOAD_MB', 10240) * 1024 * 1024,
      maxCompressionRatio: positiveSetting(env, 'GONGKAI_MAX_ZIP_RATIO', 100),
      importTimeoutMs: positiveSetting(env, 'GONGKAI_IMPORT_TIMEOUT_S', 60) * 1000,
    },
  };
}
