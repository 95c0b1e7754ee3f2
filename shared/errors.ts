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
  | 'INVALID_JOB';

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

export function describeError(error: unknown): string {
  if (error instanceof PermanentError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The stack, when there is one (checked by shape: errors from Node's own modules may come from another realm). */
export function errorStack(error: unknown): string | null {
  const stack = (error as { stack?: unknown } | null)?.stack;
  return typeof stack === 'string' ? stack : null;
}
