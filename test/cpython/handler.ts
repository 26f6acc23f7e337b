import { BaseHTTPRequestHandler } from '../../src/index.js';

/**
 * The TypeScript twin of test/cpython/server.py: the same routes, answered with the same calls,
 * so that both servers must produce the same bytes (see that file's docstring for the route list).
 * `FixtureHandler10` keeps `protocolVersion = 'HTTP/1.0'`, `FixtureHandler11` uses HTTP/1.1.
 */
export class FixtureHandler10 extends BaseHTTPRequestHandler {
  override protocolVersion = 'HTTP/1.0';

  do_GET(): void {
    this.route();
  }

  do_HEAD(): void {
    this.route();
  }

  async do_POST(): Promise<void> {
    if (this.path === '/noread') {
      this.reply(200, latin1('noread\n'));
      return;
    }
    const body = await this.readBody();
    this.reply(200, body, undefined, 'application/octet-stream');
  }

  /** Sends `code` with a body (none for 1xx, 204, 304; HEAD sends the headers only). */
  protected reply(code: number, body: Buffer, message?: string, contentType = 'text/plain', extra: ReadonlyArray<readonly [string, string]> = []): void {
    this.sendResponse(code, message);
    const noBody = code < 200 || NO_BODY_CODES.has(code);
    if (!noBody) {
      this.sendHeader('Content-Type', contentType);
      this.sendHeader('Content-Length', String(body.length));
    }
    for (const [name, value] of extra) this.sendHeader(name, value);
    this.endHeaders();
    if (this.command !== 'HEAD' && !noBody) this.wfile.write(body);
  }

  protected route(): void {
    const path = this.path;
    if (path === '/raise') throw new Error('fixture boom');
    if (path.startsWith('/error/')) {
      this.sendError(Number.parseInt(path.slice('/error/'.length), 10));
      return;
    }
    if (path === '/error-custom') {
      this.sendError(403, CUSTOM_MESSAGE, CUSTOM_EXPLAIN);
      return;
    }
    if (path === '/error-message') {
      this.sendError(418, MESSAGE_ONLY);
      return;
    }
    if (path === '/error-latin1') {
      this.sendError(400, LATIN1_MESSAGE, LATIN1_EXPLAIN);
      return;
    }
    if (path.startsWith('/status/')) {
      const code = Number.parseInt(path.slice('/status/'.length), 10);
      this.reply(code, latin1(`status ${code}\n`));
      return;
    }
    if (path === '/reason') {
      this.reply(200, latin1('reason\n'), 'Totally Fine');
      return;
    }
    if (path === '/close') {
      this.reply(200, latin1('close\n'), undefined, 'text/plain', [['Connection', 'close']]);
      return;
    }
    if (path === '/keep-alive') {
      this.reply(200, latin1('keep-alive\n'), undefined, 'text/plain', [['Connection', 'keep-alive']]);
      return;
    }
    if (path === '/headers') {
      let text = '';
      for (const [name, value] of this.headers) text += `${name}: ${value}\n`;
      this.reply(200, latin1(text));
      return;
    }
    this.reply(200, latin1(`${this.command} ${path} ${this.requestVersion}\n`));
  }
}

/** The same routes with `protocolVersion = 'HTTP/1.1'` (persistent connections). */
export class FixtureHandler11 extends FixtureHandler10 {
  override protocolVersion = 'HTTP/1.1';
}

export const CUSTOM_MESSAGE = `<script>alert('x')</script> & "q"`;
export const CUSTOM_EXPLAIN = `Explain <b>bold</b> & 'single' "double" &amp;`;
export const MESSAGE_ONLY = 'Teapot <&> "q"';
export const LATIN1_MESSAGE = 'Caf\u00e9 \u00a0!';
export const LATIN1_EXPLAIN = 'Expl\u00e9 <x>';
const NO_BODY_CODES = new Set([204, 304]);

function latin1(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}
