/**
 * A 1 GiB file (sparse: no disk used) served by the `basehttp` command in a child process, to a
 * client that pauses, then reads it all: the server's peak RSS (VmHWM) stays within 200 MiB of
 * its RSS before the download. A server that buffered the file would grow by a gigabyte; the bound is generous
 * so that garbage collection timing cannot make it flake.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTree, type FileTree } from '../helpers/file-tree.js';
import { sendRaw } from '../harness/client.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const GIB = 1024 * 1024 * 1024;
const MIB = 1024 * 1024;
const noProc = existsSync('/proc/self/status') ? '' : " [skipped: no /proc to read the server's RSS from (Linux only)]";

let tree: FileTree;
let child: ChildProcessWithoutNullStreams;
let port = 0;

/** A field of /proc/<pid>/status in bytes (VmRSS: now, VmHWM: the peak). */
function memory(field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
}

/**
 * GETs `target` and counts the body's bytes without keeping them. Not the harness's RawClient,
 * which keeps every byte it receives: this test measures the server's memory while a 1 GiB body
 * goes by, and the client must not hold it either. The client stops reading for `pauseMs` once
 * the head has come: a server that writes without waiting for the socket to drain would queue
 * the file in its memory meanwhile (a client as fast as the disk never lets that show).
 */
function download(target: string, pauseMs: number): Promise<{ head: string; bodyBytes: number }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(`GET ${target} HTTP/1.0\r\n\r\n`));
    let head = '';
    let headDone = false;
    let bodyBytes = 0;
    socket.on('data', (chunk: Buffer) => {
      if (headDone) {
        bodyBytes += chunk.length;
        return;
      }
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end >= 0) {
        headDone = true;
        bodyBytes = head.length - end - 4;
        head = head.slice(0, end);
        socket.pause();
        setTimeout(() => socket.resume(), pauseMs);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ head, bodyBytes }));
  });
}

beforeAll(async () => {
  if (noProc !== '') return;
  tree = makeTree({ 'small.txt': 'small\n' });
  const fd = openSync(tree.at('huge.bin'), 'w');
  ftruncateSync(fd, GIB);
  closeSync(fd);
  child = spawn(process.execPath, [CLI, '-b', '127.0.0.1', '-d', tree.base, '0'], { stdio: 'pipe' });
  child.stderr.resume(); // the request log
  port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => {
      out += t;
      const m = / port (\d+) /.exec(out);
      if (m !== null) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`basehttp exited ${code}`)));
  });
});

afterAll(async () => {
  if (child !== undefined && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  tree?.remove();
});

describe(`serving a 1 GiB file${noProc}`, () => {
  it.skipIf(noProc !== '')(
    "keeps the server's RSS flat: peak within 200 MiB of the RSS before",
    async () => {
      // Warm up: a small file, a listing, and a range of the big one, so lazily loaded code and
      // the first buffers are in the baseline.
      await sendRaw(port, 'GET /small.txt HTTP/1.0\r\n\r\n', { timeoutMs: 5_000 });
      await sendRaw(port, 'GET / HTTP/1.0\r\n\r\n', { timeoutMs: 5_000 });
      const range = await sendRaw(port, 'GET /huge.bin HTTP/1.0\r\nRange: bytes=0-8388607\r\n\r\n', { timeoutMs: 30_000 });
      expect(range.data.toString('latin1', 0, 30)).toMatch(/^HTTP\/1\.0 206 /);
      const before = memory('VmRSS');
      const { head, bodyBytes } = await download('/huge.bin', 2_000);
      expect(head).toMatch(new RegExp(`^HTTP/1\\.0 200 OK\\r\\n[^]*Content-Length: ${GIB}\\r\\n`));
      expect(bodyBytes).toBe(GIB);
      const peak = memory('VmHWM');
      const growth = peak - before;
      expect(growth, `RSS before ${(before / MIB).toFixed(1)} MiB, peak ${(peak / MIB).toFixed(1)} MiB`).toBeLessThan(200 * MIB);
    },
    180_000,
  );
});
