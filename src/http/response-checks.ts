import { BaseHTTPError } from '../socketserver/errors.js';
import { isToken } from './header-parser.js';

/**
 * Guards against response splitting: whatever goes into the status line or a header must be
 * latin-1 and free of CR, LF and NUL, or nothing is written and a coded error is thrown.
 */

const UNSAFE = /[\r\n\0]|[^\x00-\xff]/;

/** Throws `ERR_INVALID_HEADER_NAME` unless `name` is an RFC 9110 token. */
export function checkHeaderName(name: string): void {
  if (!isToken(name)) {
    throw new BaseHTTPError('ERR_INVALID_HEADER_NAME', `invalid header name ${JSON.stringify(name)}`);
  }
}

/** Throws `ERR_INVALID_HEADER_VALUE` when `value` is not latin-1 or holds CR, LF or NUL. */
export function checkHeaderValue(name: string, value: string): void {
  if (UNSAFE.test(value)) {
    throw new BaseHTTPError('ERR_INVALID_HEADER_VALUE', `invalid value for header ${JSON.stringify(name)}`);
  }
}

/** Throws `ERR_INVALID_REASON` when a reason phrase is not latin-1 or holds CR, LF or NUL. */
export function checkReason(message: string): void {
  if (UNSAFE.test(message)) {
    throw new BaseHTTPError('ERR_INVALID_REASON', `invalid reason phrase ${JSON.stringify(message)}`);
  }
}

/** Throws `ERR_INVALID_STATUS` unless `code` is an integer from 100 to 999 (three digits). */
export function checkStatus(code: number): void {
  if (!Number.isInteger(code) || code < 100 || code > 999) {
    throw new BaseHTTPError('ERR_INVALID_STATUS', `invalid status code ${String(code)}`);
  }
}
