// Peer server (issue 16): a raw node:net server with a minimal correct parse — the ceiling of
// what node:net allows WITH parsing, against which basehttp's keep-alive and pipelined figures
// are targeted. raw.mjs is the ceiling without parsing; this is the least a real server must do.
//
// What it does, for every request:
// - finds the end of the head (`\r\n\r\n`), joining a head split across chunks;
// - splits the request line into method, target and version at its two spaces;
// - reads each header line into a (lower-cased name, value without surrounding spaces/tabs) pair;
// - frames the body by Content-Length (read and counted across chunks, never kept), so that a
//   pipelined request after a body is found; keep-alive by the version and `Connection` (HTTP/1.1
//   persistent unless `close`, HTTP/1.0 only with `keep-alive`);
// - routes on method + target: GET /hello, GET /64k, POST /upload (answers the count of body bytes
//   it read), anything else 404; every response carries Date (cached per second, as node:http
//   and basehttp do), Content-Type, Content-Length, and `Connection: close` when it ends the socket;
// - answers all the requests of one chunk in one write (heads and small bodies joined into one
//   string; with a 64 KiB body, cork/uncork so that node issues one writev).
// What it does not do: validate anything framing does not need (token characters, the version's
// digits, header syntax beyond the colon, duplicate headers other than the last Content-Length
// winning), bound the head's size, timeouts, chunked bodies (a Transfer-Encoding is answered 501 and the
// connection closed, as is a request line without two spaces or a Content-Length that is not
// digits: 400), Expect: 100-continue, bare-LF line ends. TCP_NODELAY is on, as in node:http.
// Strings come from Buffer#latin1Slice, the method toString('latin1', start, end) ends up calling,
// as basehttp's own parser does (src/socketserver/buffer-slice.ts).
import net from 'node:net';
import { BODY_64K, HELLO, portFromEnv } from './payloads.mjs';

const CRLF2 = Buffer.from('\r\n\r\n');
const HELLO_TEXT = HELLO.toString('latin1');
const CLOSE_RE = /(?:^|,)[ \t]*close[ \t]*(?:,|$)/i;
const KEEP_ALIVE_RE = /(?:^|,)[ \t]*keep-alive[ \t]*(?:,|$)/i;

// The Date line, rebuilt when the second changes (checked once per chunk).
let dateSecond = -1;
let dateLine = '';
function refreshDate() {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateLine = `Date: ${new Date(now).toUTCString()}\r\n`;
  }
}

function head(status, length, close) {
  return `HTTP/1.1 ${status}\r\n${dateLine}Content-Type: text/plain\r\nContent-Length: ${length}\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;
}

/** The endpoint a request names, or the status line of its 404. */
function routeOf(method, target) {
  if (method === 'GET') {
    if (target === '/hello') return 'hello';
    if (target === '/64k') return '64k';
  } else if (method === 'POST' && target === '/upload') return 'upload';
  return '404 Not Found';
}

const isSpaceOrTab = (c) => c === 0x20 || c === 0x09;

function onConnection(socket) {
  let carry = null; // an unfinished head, or the start of one, from the previous chunk
  let done = false; // a response with Connection: close has been queued: ignore what follows
  // The request whose body is being read (bodyLeft bytes still to come).
  let bodyLeft = 0;
  let bodyRead = 0;
  let pendingRoute = null;
  let pendingClose = false;
  // One chunk's responses: text (heads and small bodies) and, with a Buffer body, parts.
  let text = '';
  let parts = null;

  function respond(route, close) {
    if (route === 'hello') text += head('200 OK', HELLO.length, close) + HELLO_TEXT;
    else if (route === '64k') {
      (parts ??= []).push(text + head('200 OK', BODY_64K.length, close), BODY_64K);
      text = '';
    } else if (route === 'upload') {
      const body = `${bodyRead}\n`;
      text += head('200 OK', body.length, close) + body;
    } else text += head(route, 0, true);
    if (close) done = true;
  }

  function flush() {
    if (parts !== null) {
      if (text !== '') parts.push(text);
      socket.cork();
      for (const p of parts) socket.write(p, 'latin1');
      if (done) socket.end();
      socket.uncork();
    } else if (text !== '') {
      if (done) socket.end(text, 'latin1');
      else socket.write(text, 'latin1');
    }
    text = '';
    parts = null;
  }

  /** Parses the head at buf[start, end) (end: the index of its \r\n\r\n); returns the body length, or -1 when answered already. */
  function parseHead(buf, start, end) {
    const lineEnd = buf.indexOf(0x0d, start);
    const sp1 = buf.indexOf(0x20, start);
    const sp2 = sp1 === -1 ? -1 : buf.indexOf(0x20, sp1 + 1);
    if (sp1 === -1 || sp2 === -1 || sp2 >= lineEnd) {
      respond('400 Bad Request', true);
      return -1;
    }
    const method = buf.latin1Slice(start, sp1);
    const target = buf.latin1Slice(sp1 + 1, sp2);
    const version = buf.latin1Slice(sp2 + 1, lineEnd);
    // Header lines into name/value pairs.
    const headers = [];
    let pos = lineEnd + 2;
    while (pos < end) {
      let eol = buf.indexOf(0x0d, pos);
      if (eol === -1 || eol > end) eol = end;
      const colon = buf.indexOf(0x3a, pos);
      if (colon !== -1 && colon < eol) {
        let vs = colon + 1;
        let ve = eol;
        while (vs < ve && isSpaceOrTab(buf[vs])) vs++;
        while (ve > vs && isSpaceOrTab(buf[ve - 1])) ve--;
        headers.push(buf.latin1Slice(pos, colon).toLowerCase(), buf.latin1Slice(vs, ve));
      }
      pos = eol + 2;
    }
    let length = 0;
    let close = version === 'HTTP/1.0';
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i];
      const value = headers[i + 1];
      if (name === 'content-length') {
        if (!/^\d+$/.test(value)) {
          respond('400 Bad Request', true);
          return -1;
        }
        length = Number(value);
      } else if (name === 'connection') {
        if (CLOSE_RE.test(value)) close = true;
        else if (KEEP_ALIVE_RE.test(value)) close = false;
      } else if (name === 'transfer-encoding') {
        respond('501 Not Implemented', true);
        return -1;
      }
    }
    pendingRoute = routeOf(method, target);
    pendingClose = close;
    return length;
  }

  socket.on('data', (chunk) => {
    if (done) return;
    refreshDate();
    const buf = carry === null ? chunk : Buffer.concat([carry, chunk]);
    carry = null;
    let pos = 0;
    while (pos < buf.length && !done) {
      if (bodyLeft > 0) {
        const take = Math.min(bodyLeft, buf.length - pos);
        bodyLeft -= take;
        bodyRead += take;
        pos += take;
        if (bodyLeft > 0) break;
        respond(pendingRoute, pendingClose);
        continue;
      }
      const end = buf.indexOf(CRLF2, pos);
      if (end === -1) {
        carry = buf.subarray(pos);
        break;
      }
      const length = parseHead(buf, pos, end);
      pos = end + 4;
      if (length < 0) break;
      bodyRead = 0;
      bodyLeft = length;
      if (length === 0) respond(pendingRoute, pendingClose);
    }
    flush();
  });
  socket.on('error', () => socket.destroy());
}

net.createServer({ noDelay: true }, onConnection).listen(portFromEnv(), '127.0.0.1', 511);
