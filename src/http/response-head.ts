import type { BaseHTTPRequestHandler } from './request-handler.js';
import { hasToken, parseVersion } from './request-line.js';

/**
 * A connection's outgoing side, as node keeps `_http_outgoing.js` apart from its server: the
 * response head being built (the status line and header lines `sendResponse()`,
 * `sendResponseOnly()` and `sendHeader()` append, handed to `wfile` in one piece by
 * `flushHeaders()`), where the response starts in `wfile`, and the Connection bookkeeping that
 * sets the handler's `closeConnection` (the request's version and Connection header, the
 * handler's own Connection header, a draining server).
 *
 * The base class of the connection's `RequestLoop` (as node's `ServerResponse` extends
 * `OutgoingMessage`), so that a connection's state is one object: a second object, and the two
 * references to it, were 40 bytes of each idle connection's heap (docs/performance.md). Not
 * exported from the package.
 */
export class ResponseHead {
  /** The status line and header lines not yet handed to `wfile` (CPython's `_headers_buffer`). */
  text = '';
  /** The handler sent a Connection header in this response. */
  sentConnection = false;
  /** `wfile.written` when the request began: `bytesSent` counts from here. */
  writtenMark = 0;
  /** Where the final response starts: after any interim (1xx) response, which stays sent. */
  responseMark = 0;
  /** The request's version as numbers (HTTP/0.9 until a request line says otherwise). */
  version: readonly [number, number] = [0, 9];
  #pvText = '';
  #pvKeepAlive = false;

  /** A request begins: nothing buffered, no Connection header sent, the response starts here. */
  beginResponse(written: number): void {
    this.text = '';
    this.sentConnection = false;
    this.writtenMark = written;
    this.responseMark = written;
  }

  /** The handler's `protocolVersion` is HTTP/1.1 or later: it may keep connections alive. */
  protocolKeepAlive(protocolVersion: string): boolean {
    if (protocolVersion !== this.#pvText) {
      this.#pvText = protocolVersion;
      const v = parseVersion(protocolVersion);
      this.#pvKeepAlive = v !== null && (v[0] > 1 || (v[0] === 1 && v[1] >= 1));
    }
    return this.#pvKeepAlive;
  }

  /** HTTP/1.1 request answered as HTTP/1.1: persistent unless told otherwise (RFC 9112 §9.3). */
  persistentByDefault(protocolVersion: string): boolean {
    const v = this.version;
    return (v[0] > 1 || (v[0] === 1 && v[1] >= 1)) && this.protocolKeepAlive(protocolVersion);
  }

  /** The request's Connection header: a `close` token closes; `keep-alive` keeps the connection open when `protocolVersion` allows. */
  requestConnection(h: BaseHTTPRequestHandler, conntype: string): void {
    const c = conntype.toLowerCase();
    if (hasToken(c, 'close')) h.closeConnection = true;
    else if (hasToken(c, 'keep-alive') && this.protocolKeepAlive(h.protocolVersion)) h.closeConnection = false;
  }

  /**
   * The request says the connection ends with it: `Connection: close`, or HTTP/1.0 without
   * `keep-alive`, or HTTP/0.9 (`connection`: the request's Connection value; not read for 0.9,
   * which has no headers).
   */
  clientEnds(connection: string | undefined): boolean {
    const v = this.version;
    if (v[0] === 0) return true;
    const c = connection?.toLowerCase() ?? '';
    return hasToken(c, 'close') || (v[0] === 1 && v[1] === 0 && !hasToken(c, 'keep-alive'));
  }

  /** `sendHeader('Connection', value)`: the handler's own Connection header decides. */
  responseConnection(h: BaseHTTPRequestHandler, value: string): void {
    this.sentConnection = true;
    const lower = value.toLowerCase();
    if (lower === 'close') h.closeConnection = true;
    else if (lower === 'keep-alive') h.closeConnection = false;
  }

  /**
   * `endHeaders()`'s question: does this response need `Connection: close`? A final response on
   * a connection that would persist by default but is about to close (the request said
   * `Connection: close`, or the server drains) does, unless the handler sent a Connection header
   * (RFC 9112 §9.6; CPython leaves it out, and clients such as wrk then count the close as an error).
   */
  needsClose(h: BaseHTTPRequestHandler, server: { readonly isShuttingDown: boolean }): boolean {
    if (this.sentConnection || (h.statusCode ?? 200) < 200) return false;
    if (server.isShuttingDown) h.closeConnection = true;
    return h.closeConnection && this.persistentByDefault(h.protocolVersion);
  }
}
