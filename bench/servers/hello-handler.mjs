// The bench's basehttp handler: what a user writes, Python-style. Served bare by basehttp.mjs and
// through the full service (dist/main.js) as its HANDLER_MODULE, so both rows run the same code.
import { BaseHTTPRequestHandler } from '../../dist/index.js';
import { BODY_64K, HELLO, MAX_BODY_BYTES } from './payloads.mjs';

/** GET /hello, GET /64k, POST /upload (answers the byte count of the body it read); 404 else. */
export default class Hello extends BaseHTTPRequestHandler {
  protocolVersion = 'HTTP/1.1';

  send(body) {
    this.sendResponse(200);
    this.sendHeader('Content-Type', 'text/plain');
    this.sendHeader('Content-Length', String(body.length));
    this.endHeaders();
    this.wfile.write(body);
  }

  do_GET() {
    if (this.path === '/hello') this.send(HELLO);
    else if (this.path === '/64k') this.send(BODY_64K);
    else this.sendError(404);
  }

  async do_POST() {
    if (this.path !== '/upload') return this.sendError(404);
    const body = await this.readBody(MAX_BODY_BYTES);
    return this.send(Buffer.from(`${body.length}\n`));
  }
}
