/**
 * The catalogue of the library's stable identifiers: every `code` a `BaseHTTPError` (or an
 * `HTTPError`) carries, and every reason the server gives for refusing a request before its
 * handler ran (`rejectReason`, the service's `http_requests_rejected_total{reason}`).
 *
 * One table for each, here in the lowest layer so that `src/socketserver`, `src/http` and the
 * service all import the same union types. test/socketserver/error-catalogue.test.ts fails when `src/` uses a
 * code that is not listed here or an entry here is used nowhere, and when docs/errors.md (rendered
 * from these tables) differs from them.
 */

/**
 * One entry: the status answered (for a code: when the error escapes a handler; null: none, the
 * client gets 500 or the connection closes), and when it happens.
 */
export interface CatalogueEntry {
  readonly status: number | null;
  readonly when: string;
}

/** Every error code, in the order docs/errors.md lists them. */
export const ERROR_CODES = {
  ERR_SERVER_RUNNING: { status: null, when: '`serveForever()` or `handleRequest()` while the server already serves.' },
  ERR_SERVER_CLOSED: { status: null, when: 'Serving after `shutdown()` or `serverClose()`.' },
  ERR_INVALID_SETTING: {
    status: null,
    when: 'A server setting (constructor option, class field, or a value assigned before the server binds) is out of range, or an option is unknown: `ready` rejects before anything listens. The message names the setting and where its value came from.',
  },
  ERR_SOCKET_TIMEOUT: {
    status: null,
    when: "A read waited longer than the handler's `timeout` (Python's `TimeoutError`): logged as `Request timed out`, then the connection closes.",
  },
  ERR_HEADERS_TIMEOUT: { status: 408, when: 'Internal: the sweep ended a wait for a request head (`headersTimeoutMs`). Handled by the core; never seen by `do_X`.' },
  ERR_IDLE_TIMEOUT: { status: null, when: 'Internal: the sweep ended an idle keep-alive wait (`keepAliveTimeoutMs`). Handled by the core.' },
  ERR_REQUEST_TIMEOUT: { status: 408, when: 'The request body was not received within `requestTimeoutMs` of the head.' },
  ERR_SHUTDOWN: { status: null, when: 'Internal: `shutdown()` ended the wait of an idle connection. Handled by the core.' },
  ERR_BODY_TOO_LARGE: { status: 413, when: '`readBody()` over its limit (default `maxBodyBytes`); nothing beyond the limit is buffered.' },
  ERR_BAD_CHUNK: { status: 400, when: 'A malformed chunked body.' },
  ERR_INCOMPLETE_BODY: { status: 400, when: 'The client closed its side inside a request body.' },
  ERR_INVALID_HEADER_NAME: { status: null, when: '`sendHeader()` with a name that is not a token; nothing written.' },
  ERR_INVALID_HEADER_VALUE: { status: null, when: '`sendHeader()` with a value that is not latin-1 or holds CR, LF or NUL; nothing written.' },
  ERR_INVALID_REASON: { status: null, when: '`sendResponse()` with a reason phrase that is not latin-1 or holds CR, LF or NUL; nothing written.' },
  ERR_INVALID_STATUS: { status: null, when: '`sendResponse()` with a status outside 100–999, or an `HTTPError` status outside 400–599.' },
  ERR_ROUTE_TABLE: {
    status: null,
    when: "A `RouteHandler`'s `static routes` is malformed (key, pattern, value, schema, two routes for the same requests): `ready` rejects.",
  },
  ERR_ROUTE_METHOD_MISSING: { status: null, when: "A `RouteHandler`'s `static routes` names a method the class does not define: `ready` rejects." },
  ERR_ROUTE_NO_ANSWER: { status: null, when: 'A route method returned `undefined` without sending a response (the client gets 500).' },
  ERR_ROUTE_ANSWERED_TWICE: { status: null, when: 'A route method sent a response and also returned a value (the client gets 500).' },
  ERR_HTTP_STATUS: { status: null, when: 'The code of every `HTTPError` (thrown by route methods): the client gets its `status`, 400–599.' },
  ERR_TLS_CERT: { status: null, when: '`HTTPSServer` has no `certfile`, or cannot read it or find a PEM certificate in it.' },
  ERR_TLS_KEY: { status: null, when: "`HTTPSServer` cannot read its key, or it is not a PEM key, or not the certificate's." },
  ERR_TLS_PASSWORD: { status: null, when: '`HTTPSServer`: the password does not open the encrypted key.' },
} as const satisfies Readonly<Record<string, CatalogueEntry>>;

/** A stable error code of the library. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Every reason the server refuses a request (or a connection) for, in the order docs/errors.md lists them. */
export const REJECT_REASONS = {
  bad_request: { status: 400, when: 'A malformed request line (words, method, target, bare CR), or a `do_X` error with a 400 status.' },
  bad_version: { status: 400, when: 'The request line ends in something that is not `HTTP/x.y`.' },
  version_not_supported: { status: 505, when: 'HTTP/2 or later on the HTTP/1 port.' },
  bad_header: {
    status: 400,
    when: 'A malformed header line, obsolete line folding, a bare CR in the head, or a control byte (NUL…) in a field value (a `traceparent` or `tracestate` with a control byte other than CR and NUL is dropped instead).',
  },
  bad_framing: { status: 400, when: 'Content-Length invalid or repeated, with Transfer-Encoding, TE in HTTP/1.0, TE not ending in chunked, or bad chunked encoding.' },
  bad_host: { status: 400, when: 'HTTP/1.1 without exactly one Host, or an invalid Host.' },
  unsupported_transfer_coding: { status: 501, when: 'A transfer coding other than chunked.' },
  unsupported_method: { status: 501, when: 'No `do_X` method for the request method.' },
  uri_too_long: { status: 414, when: 'A request line over `maxRequestLineBytes`.' },
  headers_too_large: { status: 431, when: 'A header line over `maxHeaderLineBytes`, or more than `maxHeaders` lines.' },
  body_too_large: { status: 413, when: 'A body over `maxBodyBytes` (declared, or found while reading).' },
  timeout: { status: 408, when: 'The head (`headersTimeoutMs`) or the body (`requestTimeoutMs`) did not arrive in time.' },
  too_many_connections: { status: 503, when: 'A connection beyond `maxConnections` (counted by the service per connection, not per request).' },
} as const satisfies Readonly<Record<string, CatalogueEntry>>;

/** Why the server refused a request (or a connection) before its handler ran. */
export type RejectReason = keyof typeof REJECT_REASONS;
