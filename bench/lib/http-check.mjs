// Talks to a bench server before it is measured: is it up, and does every endpoint answer
// exactly what the scenarios count on? 127.0.0.1 only.
import http from 'node:http';
import { BODY_64K, HELLO, UPLOAD_BYTES } from '../servers/payloads.mjs';
import { BAD_USER_BODY, CREATED_JSON, USER_BODY, USER_ID, USER_JSON } from '../servers/users.mjs';
import { sleep } from './proc.mjs';

/** One request on a fresh connection; resolves { status, headers, body } or rejects. */
export function request(port, method, path, body, timeoutMs = 5000, type = 'application/octet-stream') {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        timeout: timeoutMs,
        headers: body ? { 'Content-Type': type, 'Content-Length': body.length } : {},
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Polls GET /hello until it answers 200 (bounded by `timeoutMs`); throws with the server's
 * stderr if the child exits or the deadline passes.
 */
export async function waitReady(port, child, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited (${child.exitCode ?? child.signalCode}): ${child.stderrTail().trim()}`);
    }
    try {
      const res = await request(port, 'GET', '/hello', undefined, 1000);
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = err.message;
    }
    await sleep(50);
  }
  throw new Error(`not ready after ${timeoutMs} ms (${last}): ${child.stderrTail().trim()}`);
}

/**
 * The endpoints every server must implement, checked byte for byte (status, Content-Type,
 * body). Returns a list of problems, empty when all is right. `routes` limits the check.
 */
export async function checkEndpoints(port, routes = ['hello', '64k', 'upload']) {
  const problems = [];
  const expect = async (name, method, path, body, want) => {
    try {
      const res = await request(port, method, path, body);
      if (res.status !== 200) problems.push(`${name}: status ${res.status}`);
      else if (!String(res.headers['content-type']).startsWith('text/plain')) problems.push(`${name}: Content-Type ${res.headers['content-type']}`);
      else if (!res.body.equals(want)) problems.push(`${name}: body of ${res.body.length} bytes differs`);
    } catch (err) {
      problems.push(`${name}: ${err.message}`);
    }
  };
  if (routes.includes('hello')) await expect('GET /hello', 'GET', '/hello', undefined, HELLO);
  if (routes.includes('64k')) await expect('GET /64k', 'GET', '/64k', undefined, BODY_64K);
  if (routes.includes('upload')) await expect('POST /upload', 'POST', '/upload', Buffer.alloc(UPLOAD_BYTES, 'a'), Buffer.from(`${UPLOAD_BYTES}\n`));
  return problems;
}

/**
 * The route scenarios' endpoints (bench/servers/users.mjs), checked byte for byte: the JSON
 * answers, and that the body schema really runs (a body it refuses gets a 4xx). Returns a list
 * of problems, empty when all is right.
 */
export async function checkUserRoutes(port) {
  const problems = [];
  const json = 'application/json';
  const cases = [
    ['GET /users/:id', 'GET', `/users/${USER_ID}`, undefined, 200, USER_JSON],
    ['POST /users', 'POST', '/users', Buffer.from(USER_BODY), 200, CREATED_JSON],
    ['POST /users (refused body)', 'POST', '/users', Buffer.from(BAD_USER_BODY), 400, null],
  ];
  for (const [name, method, path, body, status, want] of cases) {
    try {
      const res = await request(port, method, path, body, 5000, json);
      const type = String(res.headers['content-type']);
      if (want === null ? res.status < 400 || res.status > 499 : res.status !== status) problems.push(`${name}: status ${res.status}`);
      else if (want !== null && !type.startsWith(json)) problems.push(`${name}: Content-Type ${type}`);
      else if (want !== null && res.body.toString() !== want) problems.push(`${name}: body ${JSON.stringify(res.body.toString())}`);
    } catch (err) {
      problems.push(`${name}: ${err.message}`);
    }
  }
  return problems;
}
