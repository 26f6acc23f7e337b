import { BaseHTTPError } from '../socketserver/errors.js';
import type { BaseHTTPRequestHandler } from './request-handler.js';
import type { RequestLoop } from './request-loop.js';
import { pyRepr } from './text.js';

/**
 * Dispatch and faults, the end of CPython's `handle_one_request()`: a parsed request `SPAM` goes
 * to `do_SPAM()` (501 when there is none); an exception that escapes it becomes a 500 (or its
 * `BaseHTTPError`'s status) if nothing was sent yet, else a close, and is reported to the
 * server's `handleError()`.
 */

type DoMethod = (this: BaseHTTPRequestHandler) => void | Promise<void>;

/** `'do_' + command`, interned once per method name (bounded: methods are client input). */
const methodNames = new Map<string, string>();
function methodName(command: string): string {
  let name = methodNames.get(command);
  if (name === undefined) {
    name = `do_${command}`;
    if (methodNames.size < 256) methodNames.set(command, name);
  }
  return name;
}

/** Calls the request's `do_X`; the loop's `endRequest()` runs once it returned or settled. */
export function dispatch(loop: RequestLoop): void | Promise<void> {
  const h = loop.h;
  const command = h.command!;
  // The last method's name is kept: a client sends the same method again and again, and a
  // string comparison is cheaper than the map lookup (1.3 % of a pipelined profile).
  let name = loop.lastMethodName;
  if (command !== loop.lastCommand) {
    name = loop.lastMethodName = methodName(command);
    loop.lastCommand = command;
  }
  const fn = (h as unknown as Record<string, unknown>)[name];
  if (typeof fn !== 'function') {
    h.rejectReason = 'unsupported_method';
    h.sendError(501, `Unsupported method (${pyRepr(command)})`);
    return loop.endRequest();
  }
  let r: void | Promise<void>;
  try {
    r = (fn as DoMethod).call(h);
  } catch (e) {
    failed(loop, e);
    return loop.endRequest();
  }
  if (r === undefined || typeof (r as { then?: unknown }).then !== 'function') return loop.endRequest();
  // The handler awaits something: what it wrote so far goes out now, later writes soon.
  const wfile = h.wfile;
  wfile.autoFlush = true;
  wfile.flush();
  return r.then(
    () => {
      wfile.autoFlush = false;
      loop.endRequest();
    },
    (e: unknown) => {
      wfile.autoFlush = false;
      failed(loop, e);
      loop.endRequest();
    },
  );
}

/** An exception escaped `do_X`: 500 if nothing was sent yet, else close; always reported. */
function failed(loop: RequestLoop, e: unknown): void {
  const h = loop.h;
  h.closeConnection = true;
  const known = BaseHTTPError.is(e) ? e : null;
  if (known !== null && known.code === 'ERR_SOCKET_TIMEOUT') {
    h.logError('Request timed out: %s', known.message);
    return;
  }
  const status = known?.status ?? 500;
  if (h.wfile.discardSince(loop.responseMark)) {
    loop.clearHead();
    h.statusCode = null;
    if (status !== 500) h.rejectReason = known!.code === 'ERR_BODY_TOO_LARGE' ? 'body_too_large' : known!.status === 408 ? 'timeout' : 'bad_request';
    h.sendError(status);
  }
  if (status === 500) h.server.handleError(h.request, h.clientAddress, e);
}
