import type { RejectReason } from '../socketserver/error-catalogue.js';
import type { BaseHTTPError } from '../socketserver/errors.js';
import { BODY_CHUNKED, BODY_LENGTH, precheckChunked } from './body-reader.js';
import { FAULTS, type HeadFault, TCHAR } from './header-parser.js';
import { knownMethod } from './known-fields.js';
import { HEADER_TOO_LONG, LINE_TOO_LONG, TOO_MANY_HEADERS } from './head-scanner.js';
import type { BaseHTTPRequestHandler } from './request-handler.js';
import { isTokenString, parseVersion, splitWords, V10, V11, validTarget } from './request-line.js';
import type { RequestLoop } from './request-loop.js';
import { pyRepr } from './text.js';

/**
 * `parseRequest()`'s glue between the scanned head (`RequestLoop`'s `headBuf`, `headText`,
 * `lines`) and the handler's fields: the request line (CPython 3.13's rules, and a one-pass path
 * for the common form), a head refused while it was still arriving (414/431), and the body's
 * framing settled before dispatch. The pure pieces are in `request-line.ts` and `header-parser.ts`.
 */

/** Refuses the request: `reason` for the logs, `code` and `message` sent with `sendError()`, and a close. */
export function refuse(h: BaseHTTPRequestHandler, code: number, message: string, reason: RejectReason): false {
  h.rejectReason = reason;
  h.closeConnection = true;
  h.sendError(code, message);
  return false;
}

/** {@link refuse} with a canned fault (`FAULTS`). */
export function refuseFault(h: BaseHTTPRequestHandler, fault: HeadFault): false {
  return refuse(h, fault.status, fault.message, fault.reason);
}

/** The request line (CPython 3.13's `parse_request` up to the headers). */
export function parseRequestLine(h: BaseHTTPRequestHandler, loop: RequestLoop): boolean {
  h.command = null;
  let version = h.defaultRequestVersion;
  h.requestVersion = version;
  h.closeConnection = true;
  h.headers = new h.MessageClass();
  const buf = loop.headBuf;
  const lineStart = loop.headStart;
  let lineEnd = loop.lines[1]!;
  if (lineEnd > lineStart && buf[lineEnd - 1] === 0x0d) lineEnd--;
  const text = loop.headText;
  const requestline = text.slice(0, lineEnd - lineStart);
  h.requestline = requestline;
  if (fastRequestLine(h, loop, buf, lineStart, lineEnd, text)) return true;
  const words = splitWords(buf, lineStart, lineEnd, text);
  if (words.length === 0) return false;
  if (words.length >= 3) {
    version = words[words.length - 1]!;
    const v = parseVersion(version);
    // CPython answers these before it sets request_version, so its page has no status line
    // (the HTTP/0.9 form). A three-word line is not HTTP/0.9: answer with a status line.
    if (v === null) {
      h.requestVersion = '';
      return refuse(h, 400, `Bad request version (${pyRepr(version)})`, 'bad_version');
    }
    loop.version = v;
    if (loop.persistentByDefault(h.protocolVersion)) h.closeConnection = false;
    if (v[0] >= 2) {
      h.requestVersion = '';
      return refuse(h, 505, `Invalid HTTP version (${version.slice(5)})`, 'version_not_supported');
    }
    h.requestVersion = version;
  } else {
    loop.version = [0, 9];
  }
  // RFC 9112 §2.2: a bare CR is not whitespace here (CPython splits on it, and strips trailing
  // ones). Checked once the version is known, so the 400 carries a status line.
  // A loop, not buf.indexOf(13): a native call per request for a line of a few dozen bytes.
  let cr = false;
  for (let i = lineStart; i < lineEnd; i++) {
    if (buf[i] === 0x0d) {
      cr = true;
      break;
    }
  }
  if (words.length < 2 || words.length > 3 || cr) {
    return refuse(h, 400, `Bad request syntax (${pyRepr(requestline)})`, 'bad_request');
  }
  const command = words[0]!;
  let path = words[1]!;
  if (words.length === 2) {
    h.closeConnection = true;
    if (command !== 'GET') return refuse(h, 400, `Bad HTTP/0.9 request type (${pyRepr(command)})`, 'bad_request');
  }
  // RFC 9110 §9.1 and RFC 9112 §3.2: the method is a token; the target one of the four forms.
  if (!isTokenString(command) || !validTarget(command, path)) {
    return refuse(h, 400, `Bad request syntax (${pyRepr(requestline)})`, 'bad_request');
  }
  h.command = command;
  // gh-87389: a leading '//' would be an open redirect once clients read it as a network path.
  if (path.startsWith('//')) path = `/${path.replace(/^\/+/, '')}`;
  h.path = path;
  return true;
}

/**
 * The common request line in one pass: `token SP target SP HTTP/1.1` (or `HTTP/1.0`), single
 * spaces, an origin-form target of visible ASCII. Sets what the general path would, and
 * returns false (changing nothing) for any other line, which the general path then parses:
 * splitting into words, the version rule, the token and target checks and the CR check were
 * ~10 % of a pipelined profile, for lines that almost always take this form.
 */
function fastRequestLine(h: BaseHTTPRequestHandler, loop: RequestLoop, buf: Buffer, start: number, end: number, text: string): boolean {
  let i = start;
  while (i < end && TCHAR[buf[i]!] === 1) i++;
  if (i === start || buf[i] !== 0x20) return false;
  const sp1 = i;
  i++;
  if (buf[i] !== 0x2f) return false; // origin-form only; the others take the general path
  while (i < end && buf[i]! > 0x20 && buf[i]! < 0x7f) i++;
  if (buf[i] !== 0x20 || end - i !== 9) return false;
  const v = i + 1;
  if (buf[v] !== 0x48 || buf[v + 1] !== 0x54 || buf[v + 2] !== 0x54 || buf[v + 3] !== 0x50 || buf[v + 4] !== 0x2f || buf[v + 5] !== 0x31 || buf[v + 6] !== 0x2e)
    return false;
  const minor = buf[v + 7];
  if (minor !== 0x31 && minor !== 0x30) return false;
  if (minor === 0x31) {
    loop.version = V11;
    h.requestVersion = 'HTTP/1.1';
    if (loop.protocolKeepAlive(h.protocolVersion)) h.closeConnection = false;
  } else {
    loop.version = V10;
    h.requestVersion = 'HTTP/1.0';
  }
  h.command = knownMethod(buf, start, sp1) ?? text.slice(0, sp1 - start);
  let path = text.slice(sp1 + 1 - start, i - start);
  // gh-87389, as in the general path.
  if (buf[sp1 + 2] === 0x2f) path = `/${path.replace(/^\/+/, '')}`;
  h.path = path;
  return true;
}

/**
 * The body's framing, settled before the handler runs (`parseRequest()` after the headers): a
 * declared length over the limit, or chunking already seen to be malformed, is refused without
 * dispatching. True when the request may go on.
 */
export function frameBody(h: BaseHTTPRequestHandler, loop: RequestLoop): boolean {
  const info = loop.info;
  const maxBodyBytes = loop.limits.maxBodyBytes;
  if (info.contentLength > maxBodyBytes) {
    return refuseFault(h, FAULTS.bodyTooLarge);
  }
  if (info.chunked) {
    loop.body.begin(BODY_CHUNKED, 0);
    try {
      precheckChunked(h.rfile.buffer, h.rfile.start, loop.chunkLimits(maxBodyBytes));
    } catch (e) {
      return refuseFault(h, (e as BaseHTTPError).code === 'ERR_BODY_TOO_LARGE' ? FAULTS.bodyTooLarge : FAULTS.badChunk);
    }
  } else if (info.contentLength > 0) {
    loop.body.begin(BODY_LENGTH, info.contentLength);
  }
  return true;
}

/** 414 or 431 while the head was still arriving (CPython: `readline(65537)` overflowing). */
export function headTooLarge(h: BaseHTTPRequestHandler, loop: RequestLoop, code: number, buf: Buffer, start: number): void {
  h.closeConnection = true;
  if (code === LINE_TOO_LONG) {
    h.requestline = '';
    h.requestVersion = '';
    h.command = '';
    h.rejectReason = 'uri_too_long';
    h.sendError(414);
    return;
  }
  // CPython parsed the request line before the headers overflowed: its errors come first.
  loop.setHead(buf, start, buf.latin1Slice(start, loop.lines[1]! + 1));
  loop.lines[0] = 1;
  if (!parseRequestLine(h, loop)) return;
  h.rejectReason = 'headers_too_large';
  if (code === HEADER_TOO_LONG) {
    h.sendError(431, 'Line too long', `got more than ${loop.limits.maxHeaderLineBytes} bytes when reading header line`);
  } else if (code === TOO_MANY_HEADERS) {
    h.sendError(431, 'Too many headers', `got more than ${loop.limits.maxHeaders} headers`);
  }
}
