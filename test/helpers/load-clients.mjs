// A child process that holds many client connections to a server, so that a test measures the
// server's process alone (memory, event-loop delay) while the load lives elsewhere.
// Plain JavaScript: started with child_process.fork(); driven by IPC messages.
//
//   parent -> child  { cmd: 'open', mode, port, count, intervalMs?, batch?, together? }
//        together: (slow-header) the first bytes are sent once all are connected, in one go, so
//                  that all the heads time out in the same sweep
//        modes: 'slow-header'  writes one byte of a request head every intervalMs (first at connect)
//               'idle-keepalive' sends one keep-alive GET, reads its response, then stays idle
//               'silent'        connects and sends nothing
//   child -> parent  { type: 'opened', opened, failed, ms }
//   parent -> child  { cmd: 'report' }  ->  { type: 'report', open, closed, closeAfterFirstByteMs: number[], firstBytes: string[] }
//   parent -> child  { cmd: 'close' }   ->  destroys every socket, { type: 'closed' }, exits
import { connect } from 'node:net';

const HEAD = 'GET /slow HTTP/1.1\r\nHost: example.com\r\nX-Slow: ' + 'a'.repeat(1000);
const KEEPALIVE_GET = 'GET /idle HTTP/1.1\r\nHost: example.com\r\n\r\n';

/** @type {Array<{ socket: import('node:net').Socket, firstByteAt: number, closedAt: number, data: string, sent: number }>} */
const conns = [];
let ticker = null;

function open(port) {
  return new Promise((resolve) => {
    const c = { socket: connect({ port, host: '127.0.0.1' }), firstByteAt: 0, closedAt: 0, data: '', sent: 0 };
    c.socket.setNoDelay(true);
    c.socket.on('error', () => {});
    c.socket.on('data', (d) => {
      if (c.data.length < 200) c.data += d.toString('latin1');
    });
    c.socket.on('close', () => {
      c.closedAt = performance.now();
    });
    c.socket.once('connect', () => resolve(c));
    c.socket.once('error', () => resolve(null));
  });
}

function firstByte(c) {
  c.socket.write(HEAD[0]);
  c.sent = 1;
  c.firstByteAt = performance.now();
}

async function openAll({ mode, port, count, intervalMs = 1000, batch = 200, together = false }) {
  const started = performance.now();
  let failed = 0;
  for (let i = 0; i < count; i += batch) {
    const opened = await Promise.all(Array.from({ length: Math.min(batch, count - i) }, () => open(port)));
    for (const c of opened) {
      if (c === null) {
        failed++;
        continue;
      }
      conns.push(c);
      if (mode === 'slow-header') {
        if (!together) firstByte(c);
      } else if (mode === 'idle-keepalive') {
        c.socket.write(KEEPALIVE_GET);
      }
    }
  }
  if (mode === 'idle-keepalive') {
    // Wait until each has its response (or closed).
    const deadline = performance.now() + 30_000;
    while (performance.now() < deadline && conns.some((c) => c.closedAt === 0 && !c.data.includes('\r\n\r\n'))) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  if (mode === 'slow-header') {
    if (together) for (const c of conns) firstByte(c);
    // One byte per connection per interval, spread over the interval in 10 slices.
    let slice = 0;
    ticker = setInterval(() => {
      for (let i = slice; i < conns.length; i += 10) {
        const c = conns[i];
        if (c.closedAt !== 0 || c.socket.destroyed || c.sent >= HEAD.length) continue;
        c.socket.write(HEAD[c.sent++]);
      }
      slice = (slice + 1) % 10;
    }, intervalMs / 10);
  }
  return { opened: conns.length, failed, ms: Math.round(performance.now() - started) };
}

process.on('message', async (msg) => {
  if (msg.cmd === 'open') {
    const r = await openAll(msg);
    process.send({ type: 'opened', ...r });
  } else if (msg.cmd === 'report') {
    const closed = conns.filter((c) => c.closedAt !== 0);
    process.send({
      type: 'report',
      open: conns.length - closed.length,
      closed: closed.length,
      closeAfterFirstByteMs: closed.map((c) => Math.round(c.closedAt - c.firstByteAt)),
      firstBytes: [...new Set(conns.map((c) => c.data.slice(0, 12)))],
    });
  } else if (msg.cmd === 'close') {
    if (ticker !== null) clearInterval(ticker);
    for (const c of conns) c.socket.destroy();
    process.send({ type: 'closed' }, () => process.exit(0));
  }
});
