/**
 * RFC 9457 problem details, the error bodies of `RouteHandler`, and `HTTPError`, the exception a
 * route method throws to answer one.
 *
 * ```json
 * {"type":"about:blank","title":"Unprocessable Content","status":422,"detail":"…","instance":"/users",
 *  "errors":[{"path":"name","message":"Too small: expected string to have >=1 characters"}]}
 * ```
 */
import type { ErrorCode } from '../socketserver/error-catalogue.js';
import { BaseHTTPError } from '../socketserver/errors.js';
import { TCHAR } from './header-parser.js';
import type { ProblemFieldError } from './standard-schema.js';

export type { ProblemFieldError };

/** `Content-Type` of a problem (RFC 9457 §3). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A problem details object as `RouteHandler` sends it. */
export interface ProblemDetails {
  readonly type: 'about:blank';
  /** The status code's reason phrase (RFC 9457 §4.2.1: `about:blank` uses it as the title). */
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  /** The request's path (query removed); absent when the request line itself was refused. */
  readonly instance?: string;
  /** A schema's issues, one entry each. */
  readonly errors?: readonly ProblemFieldError[];
}

/** The JSON text of a problem, keys in the order of {@link ProblemDetails}. */
export function problemJson(
  status: number,
  title: string,
  detail: string | undefined,
  instance: string | undefined,
  errors: readonly ProblemFieldError[] | undefined,
): string {
  const p: { -readonly [K in keyof ProblemDetails]: ProblemDetails[K] } = { type: 'about:blank', title, status };
  if (detail !== undefined) p.detail = detail;
  if (instance !== undefined) p.instance = instance;
  if (errors !== undefined && errors.length > 0) p.errors = errors;
  return JSON.stringify(p);
}

/** Options of an {@link HTTPError}. */
export interface HTTPErrorOptions {
  /** Headers sent with the problem (`WWW-Authenticate`, `Retry-After`…), checked as any header. */
  readonly headers?: Readonly<Record<string, string | number>>;
  /** Field errors for the problem's `errors` member. */
  readonly errors?: readonly ProblemFieldError[];
}

const ERROR_BRAND = Symbol.for('basehttp.HTTPError');

/**
 * Thrown by a `RouteHandler` route method to answer with a problem: `throw new HTTPError(404,
 * 'no user 0')` answers 404 `application/problem+json` with that `detail`. A 4xx leaves a
 * keep-alive connection open.
 *
 * - `status`: 400–599 (else the constructor throws `ERR_INVALID_STATUS`); `detail`: sent to the
 *   client, so it must hold nothing secret; `headers`, `errors`: see {@link HTTPErrorOptions}.
 * - `code` is always `ERR_HTTP_STATUS`. `HTTPError.is(x)` is a brand check that also works across
 *   copies of the library; `toJSON()` gives the problem fields, never a stack.
 */
export class HTTPError extends Error {
  readonly code = 'ERR_HTTP_STATUS' satisfies ErrorCode;
  readonly status: number;
  readonly detail: string | undefined;
  readonly headers: Readonly<Record<string, string | number>> | undefined;
  readonly errors: readonly ProblemFieldError[] | undefined;
  readonly [ERROR_BRAND] = true;

  constructor(status: number, detail?: string, options: HTTPErrorOptions = {}) {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new BaseHTTPError('ERR_INVALID_STATUS', `HTTPError status must be an integer from 400 to 599, got ${String(status)}`);
    }
    super(detail ?? `HTTP ${status}`);
    this.name = 'HTTPError';
    this.status = status;
    this.detail = detail;
    this.headers = options.headers;
    this.errors = options.errors;
  }

  /** Brand check (`instanceof` fails across two copies of the library). */
  static is(value: unknown): value is HTTPError {
    return typeof value === 'object' && value !== null && (value as { [ERROR_BRAND]?: unknown })[ERROR_BRAND] === true;
  }

  /** The status and detail, safe to serialise: no stack, no headers. */
  toJSON(): { name: string; code: string; status: number; detail?: string } {
    return this.detail === undefined
      ? { name: this.name, code: this.code, status: this.status }
      : { name: this.name, code: this.code, status: this.status, detail: this.detail };
  }
}

/**
 * True for `application/json` and any `type/subtype+json` media type (RFC 6839), parameters
 * ignored, case-insensitive; a string scan, no regular expression per request.
 */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semi = contentType.indexOf(';');
  let t = (semi === -1 ? contentType : contentType.slice(0, semi)).trim();
  if (t.length === 16 && (t === 'application/json' || t.toLowerCase() === 'application/json')) return true;
  t = t.toLowerCase();
  const slash = t.indexOf('/');
  if (slash <= 0 || t.indexOf('/', slash + 1) !== -1 || !t.endsWith('+json') || t.length - slash - 1 <= 5) return false;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (i !== slash && TCHAR[c] !== 1) return false;
  }
  return true;
}
