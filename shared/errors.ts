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
