import type { Socket } from 'node:net';
import { BaseRequestHandler } from './base-request-handler.js';
import { BaseHTTPError } from './errors.js';
import { SocketReader } from './socket-reader.js';
import { SocketWriter } from './socket-writer.js';

/**
 * A handler for stream (TCP) connections (Python's `SocketServer.StreamRequestHandler`):
 * `rfile` and `wfile` wrap the socket.
 *
 * - May be extended, do not override: `setup()`, `finish()` (call `super`).
 * - May be overridden: `handle()`.
 * - Class fields that may be overridden: `timeout` (seconds a read may wait; `null`: forever),
 *   `disableNagleAlgorithm` (false), `rbufsize` (-1) and `wbufsize` (0), kept for parity: node
 *   buffers itself, and `wfile` batches writes until `flush()` whatever `wbufsize` says.
 */
export class StreamRequestHandler extends BaseRequestHandler {
  /** Seconds a single read may wait for data before failing with `ERR_SOCKET_TIMEOUT`; `null`: no limit. */
  timeout: number | null = null;
  /** Sets `TCP_NODELAY` on the connection when true. */
  disableNagleAlgorithm = false;
  /** Kept for parity with Python; unused. */
  rbufsize = -1;
  /** Kept for parity with Python; unused. */
  wbufsize = 0;

  /** The reading side; valid from `setup()` on. */
  rfile!: SocketReader;
  /** The writing side; valid from `setup()` on. */
  wfile!: SocketWriter;

  override setup(): void {
    const socket = this.request;
    if (this.timeout !== null) {
      const ms = this.timeout * 1000;
      socket.setTimeout(ms);
      socket.on('timeout', () => {
        if (this.rfile.waiting) {
          this.rfile.interrupt(new BaseHTTPError('ERR_SOCKET_TIMEOUT', `timed out after ${this.timeout} s`));
        }
      });
    }
    if (this.disableNagleAlgorithm) socket.setNoDelay(true);
    this.rfile = new SocketReader(socket);
    this.wfile = new SocketWriter(socket);
    this.rfile.flushBeforeWait = this.wfile;
  }

  override finish(): void {
    this.wfile.flush();
    this.rfile.release();
  }

  /** Python's `self.connection`: the connection's socket (the same object as `request`). */
  get connection(): Socket {
    return this.request;
  }
}
