import { BaseHTTPRequestHandler } from '../../src/index.js';
import type { HandlerClass } from '../harness/server.js';

/** One dispatched request, as the handler saw it. */
export interface HandlerCall {
  readonly command: string;
  readonly path: string;
  readonly requestVersion: string;
  /** The decoded body, once `readBody()` returned (undefined while reading or if it failed). */
  body?: Buffer;
}

export interface RecordingHandlerOptions {
  /** Default 'HTTP/1.1', so that a connection stays open and a smuggled request WOULD be answered. */
  readonly protocolVersion?: string;
  /** Read the body with readBody() before answering. Default true. */
  readonly readBody?: boolean;
}

/** Methods the recording handler answers (each has its do_X). */
export const RECORDED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE'] as const;

/**
 * Builds a quiet handler class that records every dispatch in `calls` (at entry of `do_X`, before
 * the body is read) and answers `200` with `<command> <path> <body length>` and Content-Length.
 * Errors from `readBody()` propagate to the core, which answers them.
 */
export function recordingHandler(options: RecordingHandlerOptions = {}): { Handler: HandlerClass; calls: HandlerCall[] } {
  const calls: HandlerCall[] = [];
  const protocol = options.protocolVersion ?? 'HTTP/1.1';
  const readBody = options.readBody ?? true;

  class RecordingHandler extends BaseHTTPRequestHandler {
    override protocolVersion = protocol;

    override logMessage(): void {}

    async #serve(): Promise<void> {
      const call: HandlerCall = { command: this.command ?? '', path: this.path, requestVersion: this.requestVersion };
      calls.push(call);
      const body = readBody ? await this.readBody() : Buffer.alloc(0);
      call.body = body;
      const text = Buffer.from(`${this.command} ${this.path} ${body.length}`, 'latin1');
      this.sendResponse(200);
      this.sendHeader('Content-Type', 'text/plain');
      this.sendHeader('Content-Length', String(text.length));
      this.endHeaders();
      if (this.command !== 'HEAD') this.wfile.write(text);
    }

    do_GET(): Promise<void> {
      return this.#serve();
    }
    do_HEAD(): Promise<void> {
      return this.#serve();
    }
    do_POST(): Promise<void> {
      return this.#serve();
    }
    do_PUT(): Promise<void> {
      return this.#serve();
    }
    do_DELETE(): Promise<void> {
      return this.#serve();
    }
    do_PATCH(): Promise<void> {
      return this.#serve();
    }
    do_OPTIONS(): Promise<void> {
      return this.#serve();
    }
    do_CONNECT(): Promise<void> {
      return this.#serve();
    }
    do_TRACE(): Promise<void> {
      return this.#serve();
    }
  }

  return { Handler: RecordingHandler as unknown as HandlerClass, calls };
}
