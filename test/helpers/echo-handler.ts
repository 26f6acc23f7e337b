import { BaseHTTPRequestHandler } from '../../src/index.js';

/** A handler that answers every GET/POST/HEAD with a small body and records what it saw. */
export class Echo extends BaseHTTPRequestHandler {
  override protocolVersion = 'HTTP/1.1';
  static seen: string[] = [];
  static silent = true;
  do_GET(): void {
    Echo.seen.push(`${this.command} ${this.path}`);
    const body = `path=${this.path}\n`;
    this.sendResponse(200);
    this.sendHeader('Content-Type', 'text/plain');
    this.sendHeader('Content-Length', Buffer.byteLength(body));
    this.endHeaders();
    if (this.command !== 'HEAD') this.wfile.write(body);
  }
  do_HEAD(): void {
    this.do_GET();
  }
  async do_POST(): Promise<void> {
    const body = await this.readBody();
    Echo.seen.push(`${this.command} ${this.path} ${body.length}`);
    this.sendResponse(200);
    this.sendHeader('Content-Length', body.length);
    this.endHeaders();
    this.wfile.write(body);
  }
  override logMessage(fmt: string, ...args: unknown[]): void {
    if (!Echo.silent) super.logMessage(fmt, ...args);
  }
}
