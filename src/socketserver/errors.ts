/**
 * The library's error type. Every error the library throws or rejects with carries a stable
 * `code` (messages may change); HTTP-level errors also carry the `status` the server answers with.
 *
 * Codes:
 * - `ERR_SERVER_RUNNING`: `serveForever()` or `handleRequest()` while the loop already runs.
 * - `ERR_SERVER_CLOSED`: serving after `serverClose()` or `shutdown()`.
 * - `ERR_SOCKET_TIMEOUT`: a read waited longer than the handler's `timeout` (Python's `TimeoutError`).
 * - `ERR_REQUEST_TIMEOUT`: the request was not received within the server's `requestTimeoutMs`.
 * - `ERR_BODY_TOO_LARGE` (status 413): a request body over the limit passed to `readBody()`.
 * - `ERR_BAD_CHUNK` (status 400): a malformed chunked body.
 * - `ERR_INCOMPLETE_BODY` (status 400): the connection ended inside a request body.
 * - `ERR_HEADERS_TIMEOUT` (408), `ERR_IDLE_TIMEOUT`, `ERR_SHUTDOWN`: why a wait for the next
 *   request was cut short (the server's sweep and `shutdown()`).
 * - `ERR_INVALID_HEADER_NAME`, `ERR_INVALID_HEADER_VALUE`, `ERR_INVALID_REASON`,
 *   `ERR_INVALID_STATUS`: a response line or header that would split the response; nothing written
 *   (`ERR_INVALID_STATUS` also for an `HTTPError` status outside 400–599).
 * - `ERR_ROUTE_TABLE`: a `RouteHandler`'s `static routes` is malformed (key, pattern, value, schema,
 *   two routes for the same requests); `ERR_ROUTE_METHOD_MISSING`: it names a method the class
 *   does not define. Both when the server starts (`HTTPServer.serverBind` → `prepare()`).
 * - `ERR_ROUTE_NO_ANSWER`: a route method returned `undefined` without sending a response;
 *   `ERR_ROUTE_ANSWERED_TWICE`: it sent one and also returned a value (both answer 500).
 * - `ERR_TLS_CERT`, `ERR_TLS_KEY`, `ERR_TLS_PASSWORD`: `HTTPSServer` could not load its
 *   certificate file, its key, or open an encrypted key with the password (`ready` rejects).
 *
 * `HTTPError` (thrown by route methods to answer a problem) is its own class, code `ERR_HTTP_STATUS`.
 */
export class BaseHTTPError extends Error {
  /** Stable, documented identifier of the fault. */
  readonly code: string;
  /** HTTP status the server answers with when this error escapes a handler (500 when absent). */
  readonly status: number | undefined;

  constructor(code: string, message: string, status?: number, cause?: unknown) {
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
  toJSON(): { name: string; code: string; message: string; status?: number } {
    return this.status === undefined
      ? { name: this.name, code: this.code, message: this.message }
      : { name: this.name, code: this.code, message: this.message, status: this.status };
  }
}
