// @ts-check
// A handler module for HANDLER_MODULE: plain ESM JavaScript, so the image needs no
// compiler. Its default export must be a class extending BaseHTTPRequestHandler.
import { BaseHTTPRequestHandler } from 'basehttp';

/**
 * Answers `GET /hello?name=...` (and HEAD) with a JSON greeting; every other path gets the
 * server's 404 page, every other method its 501 page.
 */
export default class GreetingHandler extends BaseHTTPRequestHandler {
  // Keep-alive for clients that ask for it.
  protocolVersion = 'HTTP/1.1';

  do_GET() {
    this.#greet(true);
  }

  do_HEAD() {
    this.#greet(false);
  }

  /** @param {boolean} withBody */
  #greet(withBody) {
    const url = new URL(this.path, 'http://localhost');
    if (url.pathname !== '/hello') {
      this.sendError(404);
      return;
    }
    const name = (url.searchParams.get('name') ?? 'world').slice(0, 100);
    const body = Buffer.from(`${JSON.stringify({ greeting: `hello, ${name}` })}\n`);
    this.sendResponse(200);
    this.sendHeader('Content-Type', 'application/json');
    this.sendHeader('Content-Length', String(body.length));
    this.endHeaders();
    if (withBody) this.wfile.write(body);
  }
}
