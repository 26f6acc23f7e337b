/**
 * The bytes every bench server answers with, defined once so that no server gets a lighter
 * response than another.
 *
 * - `GET /hello`  -> 200 `Hello, world!\n` (text/plain)
 * - `GET /64k`    -> 200 with a 65 536-byte body (text/plain, all `a`)
 * - `POST /upload`-> 200 with the decimal byte count of the body it read, plus `\n`
 */
export const HELLO = Buffer.from('Hello, world!\n');
export const BODY_64K = Buffer.alloc(65_536, 'a');
/** Size of the POST body that wrk sends (bench/lua/upload.lua must agree). */
export const UPLOAD_BYTES = 1_048_576;
/** Body limit the servers are configured with: twice the upload, so 1 MiB always fits. */
export const MAX_BODY_BYTES = 2 * 1_048_576;
/**
 * Idle keep-alive timeout for every server that has one (node:http's default is 5 s, which would
 * close the first of the 10 000 idle connections before the last one is open).
 */
export const KEEP_ALIVE_TIMEOUT_MS = 60_000;

/** Port from the environment; the harness picks a free one on 127.0.0.1 and passes it. */
export function portFromEnv() {
  const port = Number(process.env.PORT);
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) {
    throw new Error(`PORT must be a TCP port, got ${JSON.stringify(process.env.PORT)}`);
  }
  return port;
}
