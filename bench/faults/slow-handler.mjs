// The HANDLER_MODULE of the SIGTERM-under-load run's "slow" scenarios: GET / answers 200 after
// 1–10 ms (a timer, as a handler waiting on a database would), so that most connections are in
// the middle of a request when the SIGTERM arrives and their last response must carry
// `Connection: close`. Anything else: 404.
// The core is imported from the build being tested (SLOW_HANDLER_CORE, a file URL of its
// index.js; default this checkout's dist/), so that the class extends that build's
// BaseHTTPRequestHandler.
const core = await import(process.env.SLOW_HANDLER_CORE || new URL('../../dist/index.js', import.meta.url).href);

const BODY = Buffer.from('slow\n');

/** GET / after a random 1–10 ms delay. */
export default class SlowHandler extends core.BaseHTTPRequestHandler {
  protocolVersion = 'HTTP/1.1';

  async do_GET() {
    if (this.path !== '/') return this.sendError(404);
    await new Promise((resolve) => setTimeout(resolve, 1 + Math.floor(Math.random() * 10)));
    this.sendResponse(200);
    this.sendHeader('Content-Type', 'text/plain');
    this.sendHeader('Content-Length', String(BODY.length));
    this.endHeaders();
    this.wfile.write(BODY);
  }
}
