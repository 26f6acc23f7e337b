/**
 * The example app handler the service serves when `HANDLER_MODULE` is not set — and the pattern
 * to copy for your own (see README.md, "Writing and loading a handler"):
 *
 * - `GET /` and `HEAD /`: a plain-text greeting;
 * - `GET /hello/<name>`: a JSON greeting;
 * - `POST /echo`: reads a JSON body of at most `maxJsonBytes` bytes (413 above it) and answers
 *   it back as `{ "received": … }`; 415 for another content type, 400 for bad JSON;
 * - anything else: 404 (a missing `do_X` method answers 501).
 *
 * It extends `BaseHTTPRequestHandler` directly: the service adds the request id, access record
 * and metrics around any handler class.
 */
import { BaseHTTPRequestHandler } from '../http/request-handler.js';

/** Built once: a response body that never changes is not re-encoded per request. */
const HELLO = Buffer.from('Hello, world!\n');

/** The example application. */
export default class AppHandler extends BaseHTTPRequestHandler {
  /** Keep-alive and `Content-Length` framing (the service sets its `PROTOCOL_VERSION` anyway). */
  override protocolVersion = 'HTTP/1.1';
  /** Largest JSON body `POST /echo` reads. */
  maxJsonBytes = 64 * 1024;

  do_GET(): void {
    this.#get(true);
  }

  do_HEAD(): void {
    this.#get(false);
  }

  #get(withBody: boolean): void {
    const q = this.path.indexOf('?');
    const path = q === -1 ? this.path : this.path.slice(0, q);
    if (path === '/') {
      this.#send(200, 'text/plain; charset=utf-8', HELLO, withBody);
    } else if (path.startsWith('/hello/') && path.length > 7) {
      let name: string;
      try {
        name = decodeURIComponent(path.slice(7));
      } catch {
        this.sendError(400, 'Bad percent-encoding');
        return;
      }
      this.#json(200, { hello: name }, withBody);
    } else {
      this.sendError(404);
    }
  }

  async do_POST(): Promise<void> {
    if (this.path !== '/echo' && !this.path.startsWith('/echo?')) {
      this.sendError(404);
      return;
    }
    const type = this.headers.get('content-type') ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      this.sendError(415, 'Unsupported Media Type', 'POST /echo takes application/json');
      return;
    }
    // Over the limit readBody() rejects with status 413; the server answers 413 and closes.
    const body = await this.readBody(this.maxJsonBytes);
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch (e) {
      this.sendError(400, 'Bad JSON', (e as Error).message);
      return;
    }
    this.#json(200, { received: value }, true);
  }

  #json(code: number, value: unknown, withBody: boolean): void {
    this.#send(code, 'application/json', Buffer.from(`${JSON.stringify(value)}\n`), withBody);
  }

  #send(code: number, contentType: string, body: Buffer, withBody: boolean): void {
    this.sendResponse(code);
    this.sendHeader('Content-Type', contentType);
    this.sendHeader('Content-Length', body.length);
    this.endHeaders();
    if (withBody) this.wfile.write(body);
  }
}
