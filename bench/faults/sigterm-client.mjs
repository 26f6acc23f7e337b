// The precise load client of the SIGTERM-under-load run (bench/sigterm-under-load.mjs).
//
//   node bench/faults/sigterm-client.mjs <port> <connections> <result.json> [maxSeconds]
//
// Keeps <connections> keep-alive connections to 127.0.0.1:<port>, each with one request always
// outstanding (GET / with a unique X-Request-Id: c<slot>-<n>), and records the fate of every
// request it wrote:
//   ok             a complete response with a 2xx status (its id is kept for matching with the
//                  service's access log);
//   non2xx         a complete response with another status (a failure);
//   partial        the connection ended after some bytes of the response, before its end (a failure);
//   unanswered     the connection ended before any byte of the response came back (EOF or reset):
//                  the server never answered it; whether it had read it is decided by the
//                  access log (an answered id would be in it);
//   abandoned      still outstanding when the client was told to stop.
// A connection that cannot be established is counted by error code (ECONNREFUSED once the
// listener is closed); the client retries it every 10 ms. A response saying `Connection: close`
// makes the client close and reconnect, as wrk does.
// Stops on SIGINT or after maxSeconds (default 120) and writes its result as JSON.
import fs from 'node:fs';
import net from 'node:net';

const [portArg, connArg, outFile, maxArg] = process.argv.slice(2);
const port = Number(portArg);
const connections = Number(connArg);
const maxSeconds = Number(maxArg ?? 120);
if (!(port > 0) || !(connections > 0) || !outFile) {
  console.error('usage: sigterm-client.mjs <port> <connections> <result.json> [maxSeconds]');
  process.exit(2);
}

const now = () => performance.timeOrigin + performance.now();
const HEAD_END = Buffer.from('\r\n\r\n');

const r = {
  startedAt: now(),
  stoppedAt: null,
  sent: 0,
  ok: 0,
  okIds: [],
  non2xx: [],
  partial: [],
  unanswered: [],
  abandoned: [],
  idMismatch: [],
  connectionClose: 0,
  lastOkAt: null,
  connects: 0,
  connectErrors: {},
  firstConnectErrorAt: null,
  lastConnectErrorAt: null,
};

let stopping = false;
const slots = [];

/** One connection slot: connects, keeps one request outstanding, reconnects when it ends. */
class Slot {
  constructor(index) {
    this.index = index;
    this.n = 0;
    this.socket = null;
  }

  connect() {
    if (stopping) return;
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    this.socket = socket;
    this.connected = false;
    this.buf = Buffer.alloc(0);
    this.pending = null; // { id, sentAt, bytes }
    this.closeAfter = false;
    this.error = null;
    socket.on('connect', () => {
      this.connected = true;
      r.connects++;
      this.send();
    });
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (err) => {
      this.error = err;
    });
    socket.on('close', () => this.onClose());
  }

  send() {
    if (stopping) return;
    const id = `c${this.index}-${++this.n}`;
    this.pending = { id, sentAt: now(), bytes: 0 };
    r.sent++;
    this.socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Request-Id: ${id}\r\n\r\n`);
  }

  onData(chunk) {
    if (this.pending === null) return; // nothing asked: the server sent bytes unasked (counted below)
    this.pending.bytes += chunk.length;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      const end = this.buf.indexOf(HEAD_END);
      if (end === -1) return;
      const head = this.buf.subarray(0, end).toString('latin1');
      const lines = head.split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1] ?? NaN);
      let length = 0;
      let close = false;
      let echoed = null;
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (name === 'content-length') length = Number(value);
        else if (name === 'connection' && value.toLowerCase() === 'close') close = true;
        else if (name === 'x-request-id') echoed = value;
      }
      if (this.buf.length < end + 4 + length) return;
      this.buf = this.buf.subarray(end + 4 + length);
      const p = this.pending;
      this.pending = null;
      if (status >= 200 && status < 300) {
        r.ok++;
        r.okIds.push(p.id);
        r.lastOkAt = now();
      } else {
        r.non2xx.push({ id: p.id, status: Number.isNaN(status) ? lines[0] : status });
      }
      if (echoed !== p.id) r.idMismatch.push({ sent: p.id, echoed });
      if (close) {
        r.connectionClose++;
        this.closeAfter = true;
        this.socket.end();
        return;
      }
      if (this.buf.length > 0) {
        r.partial.push({ id: p.id, note: `${this.buf.length} unasked bytes after the response` });
        this.buf = Buffer.alloc(0);
      }
      this.send();
      return;
    }
  }

  onClose() {
    const t = now();
    if (!this.connected) {
      const code = this.error?.code ?? 'UNKNOWN';
      r.connectErrors[code] = (r.connectErrors[code] ?? 0) + 1;
      r.firstConnectErrorAt ??= t;
      r.lastConnectErrorAt = t;
      if (!stopping) setTimeout(() => this.connect(), 10);
      return;
    }
    const p = this.pending;
    if (p !== null) {
      const rec = { id: p.id, sentAt: p.sentAt, closedAt: t, how: this.error?.code ?? 'EOF', responseBytes: p.bytes };
      if (stopping) r.abandoned.push(rec);
      else if (p.bytes === 0) r.unanswered.push(rec);
      else r.partial.push(rec);
    }
    this.connect();
  }
}

function stop() {
  if (stopping) return;
  stopping = true;
  r.stoppedAt = now();
  for (const s of slots) s.socket?.destroy();
  // 'close' events record the abandoned requests; then the result is written.
  setTimeout(() => {
    fs.writeFileSync(outFile, JSON.stringify(r));
    process.exit(0);
  }, 50);
}

process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setTimeout(stop, maxSeconds * 1000);
for (let i = 0; i < connections; i++) {
  const s = new Slot(i);
  slots.push(s);
  s.connect();
}
