// Peer server: bare node:http, the baseline every ratio in bench/RESULTS.md is taken against.
// A handler as users write it: route on the URL, collect the POST body into one Buffer.
import http from 'node:http';
import { BODY_64K, HELLO, KEEP_ALIVE_TIMEOUT_MS, MAX_BODY_BYTES, portFromEnv } from './payloads.mjs';

function send(res, body) {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
  res.end(body);
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/hello') return send(res, HELLO);
  if (req.method === 'GET' && req.url === '/64k') return send(res, BODY_64K);
  if (req.method === 'POST' && req.url === '/upload') {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413, { Connection: 'close' }).end();
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => send(res, Buffer.from(`${Buffer.concat(chunks, size).length}\n`)));
    return undefined;
  }
  res.writeHead(404, { 'Content-Length': 0 });
  res.end();
  return undefined;
});
server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
server.listen(portFromEnv(), '127.0.0.1');
