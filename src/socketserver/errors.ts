import type { ErrorCode } from './error-catalogue.js';

/**
 * The library's error type. Every error the library throws or rejects with carries a stable
 * `code` (messages may change); HTTP-level errors also carry the `status` the server answers with.
 * The codes, with when each is raised, are the catalogue's (`error-catalogue.ts`, docs/errors.md).
 *
 * `HTTPError` (thrown by route methods to answer a problem) is its own class, code `ERR_HTTP_STATUS`.
 */
export class BaseHTTPError extends Error {
  /** Stable, documented identifier of the fault. */
  readonly code: ErrorCode;
  /** HTTP status the server answers with when this error escapes a handler (500 when absent). */
  readonly status: number | undefined;

  constructor(code: ErrorCode, message: string, status?: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'BaseHTTPError';
    this.code = code;
    this.status = status;
  }

  /** Brand check that also works across module copies (unlike `instanceof`). */
  static is(value: unknown): value is BaseHTTPError {
    return (
      typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'BaseHTTPError' && typeof (value as { code?: unknown }).code === 'string'
    );
  }

  /** A safe serialisation: no stack, no causes. */
  toJSON(): { name: string; code: ErrorCode; message: string; status?: number } {
    return this.status === undefined
      ? { name: this.name, code: this.code, message: this.message }
      : { name: this.name, code: this.code, message: this.message, status: this.status };
  }
}
