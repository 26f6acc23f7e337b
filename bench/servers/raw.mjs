// Peer server: the ceiling for any Node server — a node:net responder that does not parse HTTP.
//
// It finds the end of each request head with Buffer#indexOf('\r\n\r\n') and writes one canned
// response per head found, all of one chunk's responses in a single write. The least it must do
// for wrk to keep going, and nothing more:
// - which canned response: one byte of the request line (`GET /h`ello, `GET /6`4k, `P`OST);
// - a POST's body is skipped by the digits after `Content-Length: ` (wrk's spelling) and answered
//   once it is all in — answering earlier stalls wrk, which sends its next request only after the
//   previous one is fully written;
// - `Connection: close` anywhere in a chunk (one indexOf per chunk, not per request) makes the
//   response carry `Connection: close` and ends the socket, so that wrk reconnects as it would
//   with a real server;
// - a head split across chunks is kept and joined with the next chunk (rare on loopback).
// No Date header, no validation, no routing beyond that byte: it is a bound, not a server.
import net from 'node:net';
import { BODY_64K, HELLO, UPLOAD_BYTES, portFromEnv } from './payloads.mjs';

const CRLF2 = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = Buffer.from('Content-Length: ');
const CONNECTION_CLOSE = Buffer.from('Connection: close');

function canned(body, close) {
  const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n' + `Content-Length: ${body.length}\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;
  return Buffer.concat([Buffer.from(head), body]);
}

// Route byte -> [keep-alive response, close response]. 'P' is POST /upload; its count is the
// body size wrk sends (the raw responder skips the body without looking at it).
const RESPONSES = {
  h: [canned(HELLO, false), canned(HELLO, true)],
  6: [canned(BODY_64K, false), canned(BODY_64K, true)],
  P: [canned(Buffer.from(`${UPLOAD_BYTES}\n`), false), canned(Buffer.from(`${UPLOAD_BYTES}\n`), true)],
};

// n copies of a canned response, built once per (response, n): pipelined chunks hold 16 heads.
const repeated = new Map();
function times(response, n) {
  if (n === 1) return response;
  let byN = repeated.get(response);
  if (byN === undefined) repeated.set(response, (byN = []));
  return (byN[n] ??= Buffer.concat(Array(n).fill(response)));
}

function routeOf(buf, start) {
  // 'P' at the head's start is POST; otherwise the byte after "GET /" ('6' for /64k, else hello).
  if (buf[start] === 0x50) return 'P';
  return buf[start + 5] === 0x36 ? '6' : 'h';
}

function onConnection(socket) {
  let carry = null; // unfinished head from the previous chunk
  let skip = 0; // POST body bytes still to come

  socket.on('data', (chunk) => {
    let buf = carry === null ? chunk : Buffer.concat([carry, chunk]);
    carry = null;
    let pos = 0;
    if (skip > 0) {
      const take = Math.min(skip, buf.length);
      skip -= take;
      pos = take;
      if (skip === 0) socket.write(RESPONSES.P[0]);
      if (pos === buf.length) return;
    }
    const close = buf.indexOf(CONNECTION_CLOSE, pos) !== -1;
    let route = null;
    let count = 0;
    let end;
    while ((end = buf.indexOf(CRLF2, pos)) !== -1) {
      const r = routeOf(buf, pos);
      if (r === 'P') {
        // Flush what was counted so far, then skip this POST's body.
        if (count > 0) socket.write(times(RESPONSES[route][close ? 1 : 0], count));
        count = 0;
        const at = buf.indexOf(CONTENT_LENGTH, pos) + CONTENT_LENGTH.length;
        let length = 0;
        for (let i = at; buf[i] >= 0x30 && buf[i] <= 0x39; i++) length = length * 10 + buf[i] - 0x30;
        const bodyStart = end + 4;
        const inChunk = Math.min(length, buf.length - bodyStart);
        pos = bodyStart + inChunk;
        skip = length - inChunk;
        if (skip > 0) return;
        if (close) return void socket.end(RESPONSES.P[1]);
        socket.write(RESPONSES.P[0]);
        continue;
      }
      if (route !== null && r !== route) {
        socket.write(times(RESPONSES[route][close ? 1 : 0], count));
        count = 0;
      }
      route = r;
      count++;
      pos = end + 4;
    }
    if (pos < buf.length) carry = buf.subarray(pos);
    if (count > 0) {
      if (close) socket.end(times(RESPONSES[route][1], count));
      else socket.write(times(RESPONSES[route][0], count));
    }
  });
  socket.on('error', () => socket.destroy());
}

net.createServer(onConnection).listen(portFromEnv(), '127.0.0.1');
