/**
 * Errors that retrying cannot fix. Stage cores throw these; the worker runtime sends the document
 * straight to the dead-letter queue instead of spending its retries.
 */
export type PermanentErrorCode =
  | 'UNSUPPORTED_MEDIA'
  | 'CORRUPT_FILE'
  | 'ENCRYPTED_FILE'
  | 'EMPTY_FILE'
  | 'TOO_LARGE'
  | 'NOT_A_REPORT'
  | 'OCR_FAILED'
  | 'INVALID_JOB'
  | 'MISSING_INPUT';

/** What a dead letter's error code means for somebody deciding what to do with it. */
export interface ErrorCodeInfo {
  /**
   * Retrying the same file can never succeed: the letter is dismissed or answered with a corrected
   * file instead. (Not the same as PermanentError, which only skips automatic retries: an OCR
   * failure may pass on another machine, a malformed job is rebuilt by a re-drive.)
   */
  permanent: boolean;
}

/** The codes a dead letter carries: a PermanentError's code, or TRANSIENT for everything else. */
export type ErrorCode = PermanentErrorCode | 'TRANSIENT';

export const ERROR_CODES: Record<ErrorCode, ErrorCodeInfo> = {
  UNSUPPORTED_MEDIA: { permanent: true },
  CORRUPT_FILE: { permanent: true },
  ENCRYPTED_FILE: { permanent: true },
  EMPTY_FILE: { permanent: true },
  TOO_LARGE: { permanent: true },
  NOT_A_REPORT: { permanent: true },
  OCR_FAILED: { permanent: false },
  INVALID_JOB: { permanent: false },
  /** Its predecessor's output is not stored: a re-drive from an earlier stage, or reprocessing, rebuilds it. */
  MISSING_INPUT: { permanent: false },
  TRANSIENT: { permanent: false },
};

export const PERMANENT_ERROR_CODES: readonly ErrorCode[] = (Object.keys(ERROR_CODES) as ErrorCode[]).filter((code) => ERROR_CODES[code].permanent);

/** Whether a dead letter with this code can never succeed by a retry (unknown codes: it might). */
export function isPermanentFailure(code: string): boolean {
  return (PERMANENT_ERROR_CODES as readonly string[]).includes(code);
}

export class PermanentError extends Error {
  constructor(
    readonly code: PermanentErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PermanentError';
  }
}

export function isPermanent(error: unknown): error is PermanentError {
  return error instanceof PermanentError;
}

/**
 * A service the pipeline depends on (Postgres, Redis, the blob store) could not be reached. Retrying
 * is right, but the document is not to blame: the job layer waits for the service without using up
 * the document's attempts (see workers/infrastructure-retry.ts).
 */
export class InfrastructureError extends Error {
  constructor(
    readonly service: 'postgres' | 'redis' | 'blob-store',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'InfrastructureError';
  }
}

/** Socket errors: the service is away, not the request wrong. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);
/** Postgres SQLSTATEs of a server that is going away, starting up or out of connections (classes 08 and 57P, 53300). */
const POSTGRES_UNAVAILABLE = /^(08\d{3}|57P0[1-3]|53300)$/;
/** What pg, pg-pool and ioredis (a Redis Cluster's client included) say when their connection is gone, where they give no code. */
const UNREACHABLE_MESSAGES =
  /Connection terminated|Connection is closed|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery mode)|Reached the max retries per request|Stream isn't writeable|LOADING Redis is loading|None of startup nodes is available|Failed to refresh slots cache|CLUSTERDOWN/i;

/**
 * Whether the error says a service was unreachable rather than that this document failed. Looks
 * through `cause` and AggregateError members (the pg pool and Node's happy-eyeballs wrap socket errors).
 */
export function isInfrastructureError(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== 'object' || depth > 4) return false;
  if (error instanceof InfrastructureError) return true;
  if (isPermanent(error)) return false;
  const { code, message, cause, errors } = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || POSTGRES_UNAVAILABLE.test(code))) return true;
  if (typeof message === 'string' && UNREACHABLE_MESSAGES.test(message)) return true;
  if (Array.isArray(errors) && errors.some((member) => isInfrastructureError(member, depth + 1))) return true;
  return isInfrastructureError(cause, depth + 1);
}

export function describeError(error: unknown): string {
  if (error instanceof PermanentError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message || (error as { code?: string }).code || error.name;
  return String(error);
}

/** The stack, when there is one (checked by shape: errors from Node's own modules may come from another realm). */
export function errorStack(error: unknown): string | null {
  const stack = (error as { stack?: unknown } | null)?.stack;
  return typeof stack === 'string' ? stack : null;
}
