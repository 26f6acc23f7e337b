/**
 * SimpleHTTPRequestHandler's own behaviour beyond the CPython comparison: media types and
 * `extensionsMap`, index pages, keep-alive, methods it does not serve, the directory default,
 * streaming (a client that reads slowly gets every byte; one that leaves mid-file frees the
 * server; a file that shrinks while it is sent closes the connection; with `timeout`, a client
 * that takes no bytes is cut).
 */
import { createHash } from 'node:crypto';
import { openSync, closeSync, ftruncateSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimpleHTTPRequestHandler, type SocketWriter } from '../../src/index.js';
import { makeTree, serveFolder, type FileTree, type FolderSettings } from '../helpers/file-tree.js';
import { header, parseResponses } from '../harness/response.js';
import { sendRaw, RawClient } from '../harness/client.js';
import { eventually, type RunningServer } from '../harness/server.js';

/** 4 MiB of bytes that are not all alike, so a shuffled or repeated chunk shows. */
const BIG = Buffer.alloc(4 * 1024 * 1024);
for (let i = 0; i < BIG.length; i += 4) BIG.writeUInt32LE(i, i);
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let tree: FileTree;
const running: RunningServer[] = [];

beforeAll(() => {
  tree = makeTree({
    'page.HTML': '<p>upper-case extension</p>',
    'app.mjs': 'export {};',
    'font.woff2': 'w',
    'data.gz': 'g',
    'notes.custom': 'c',
    README: 'no extension',
    'htm-only/index.htm': 'htm index',
    'both/index.html': 'html index',
    'both/index.htm': 'htm index',
    'big.bin': BIG,
    'shrinks.bin': BIG,
  });
});
afterAll(() => tree?.remove());
afterEach(() => {
  running.length = 0; // the fixture closes them
});

/** Serves the tree with a SimpleHTTPRequestHandler subclass configured by `fields`. */
async function serve(fields: FolderSettings = {}, Base: typeof SimpleHTTPRequestHandler = SimpleHTTPRequestHandler): Promise<number> {
  const r = await serveFolder(tree.base, fields, Base);
  running.push(r);
  return r.port;
}

async function get(port: number, target: string): Promise<{ status: number; type: string | undefined; body: Buffer }> {
  const r = await sendRaw(port, `GET ${target} HTTP/1.0\r\n\r\n`, { timeoutMs: 10_000 });
  const [res] = parseResponses(r.data).responses;
  return { status: res!.status, type: header(res!, 'Content-type'), body: res!.body };
}

describe('SimpleHTTPRequestHandler: types, index pages, methods', () => {
  it('guesses media types from the extension: extensionsMap first, any case, then the built-in table', async () => {
    const port = await serve({ extensionsMap: { '.custom': 'text/x-custom', '.gz': 'application/gzip' } });
    expect((await get(port, '/page.HTML')).type).toBe('text/html');
    expect((await get(port, '/app.mjs')).type).toBe('text/javascript');
    expect((await get(port, '/font.woff2')).type).toBe('font/woff2');
    expect((await get(port, '/data.gz')).type).toBe('application/gzip');
    expect((await get(port, '/notes.custom')).type).toBe('text/x-custom');
    expect((await get(port, '/README')).type).toBe('application/octet-stream');
  });

  it('serves the first of indexPages found in a folder', async () => {
    const port = await serve();
    expect((await get(port, '/htm-only/')).body.toString()).toBe('htm index');
    expect((await get(port, '/both/')).body.toString()).toBe('html index');
    const htmFirst = await serve({ indexPages: ['index.htm', 'index.html'] });
    expect((await get(htmFirst, '/both/')).body.toString()).toBe('htm index');
    const none = await serve({ indexPages: [] });
    expect((await get(none, '/both/')).body.toString()).toMatch(/^<!DOCTYPE HTML>[^]*index\.htm/);
  });

  it('answers 501 to methods it does not serve, as CPython', async () => {
    const port = await serve();
    const r = await sendRaw(port, 'POST /big.bin HTTP/1.0\r\nContent-Length: 0\r\n\r\n', { timeoutMs: 5_000 });
    expect(r.data.toString('latin1')).toMatch(/^HTTP\/1\.0 501 Unsupported method \('POST'\)\r\n/);
  });

  it('serves the working directory by default, with the Server header SimpleHTTP/<version>', () => {
    // The constructor only stores its arguments (the server calls setup/handle/finish later).
    const handler = new SimpleHTTPRequestHandler(null as never, ['', 0], null as never);
    expect(handler.directory).toBe(process.cwd());
    expect(handler.serverVersion).toMatch(/^SimpleHTTP\/\d+\.\d+\.\d+$/);
  });

  it('keeps an HTTP/1.1 connection alive across files, listings and ranges', async () => {
    const port = await serve({ protocolVersion: 'HTTP/1.1' });
    const req = (target: string, extra = ''): string => `GET ${target} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;
    const r = await sendRaw(port, [req('/README') + req('/htm-only/') + req('/README', 'Range: bytes=0-1\r\n') + req('/README', 'Connection: close\r\n')], {
      timeoutMs: 5_000,
    });
    const statuses = parseResponses(r.data).responses.map((x) => x.status);
    expect(statuses).toEqual([200, 200, 206, 200]);
    expect(r.ending).toBe('close');
  });
});

describe('SimpleHTTPRequestHandler: streaming', () => {
  it('a client that stops reading for a while still gets every byte, in order', async () => {
    const port = await serve();
    const got = await RawClient.connect(port);
    const socket = got.socket;
    socket.write('GET /big.bin HTTP/1.0\r\n\r\n');
    socket.pause();
    await new Promise((r) => setTimeout(r, 300));
    socket.resume();
    expect(await got.waitClosed(20_000)).toBe('close');
    const [res] = parseResponses(got.data).responses;
    expect(res!.status).toBe(200);
    expect(sha(res!.body)).toBe(sha(BIG));
  });

  it('stops reading the file when the client leaves mid-file, and goes on serving', async () => {
    let copies = 0;
    let chunksAfterClose = 0;
    class Counting extends SimpleHTTPRequestHandler {
      override async copyfile(source: Readable, outputfile: SocketWriter): Promise<void> {
        copies++;
        source.on('data', () => {
          if (this.request.destroyed) chunksAfterClose++;
        });
        await super.copyfile(source, outputfile);
      }
    }
    const port = await serve({}, Counting);
    const got = await RawClient.connect(port);
    const socket = got.socket;
    socket.write('GET /big.bin HTTP/1.0\r\n\r\n');
    expect(await got.waitFor((d) => d.length > 100_000, 10_000)).toBe(true);
    socket.destroy();
    expect(await eventually(() => running[0]!.server.activeConnections === 0, 10_000)).toBe(true);
    expect(copies).toBe(1);
    expect(chunksAfterClose).toBeLessThanOrEqual(1);
    expect((await get(port, '/README')).status).toBe(200);
  });

  it('closes the connection when the file shrinks while it is sent (the body would fall short)', async () => {
    const path = tree.at('shrinks.bin');
    class Shrinking extends SimpleHTTPRequestHandler {
      override async copyfile(source: Readable, outputfile: SocketWriter): Promise<void> {
        const fd = openSync(path, 'r+');
        ftruncateSync(fd, 1000);
        closeSync(fd);
        await super.copyfile(source, outputfile);
      }
    }
    const port = await serve({ protocolVersion: 'HTTP/1.1' }, Shrinking);
    const r = await sendRaw(port, 'GET /shrinks.bin HTTP/1.1\r\nHost: x\r\n\r\n', { timeoutMs: 10_000 });
    expect(r.ending).toBe('close');
    const text = r.data.toString('latin1');
    expect(text).toMatch(new RegExp(`^HTTP/1\\.1 200 OK\\r\\n[^]*Content-Length: ${BIG.length}\\r\\n`));
    expect(r.data.length - text.indexOf('\r\n\r\n') - 4).toBe(1000);
  });

  it('with timeout set, cuts a client that takes no bytes for that long', async () => {
    const sparse = tree.at('sparse.bin');
    const fd = openSync(sparse, 'w');
    ftruncateSync(fd, 256 * 1024 * 1024);
    closeSync(fd);
    const port = await serve({ timeout: 0.3 });
    const got = await RawClient.connect(port);
    const socket = got.socket;
    socket.write('GET /sparse.bin HTTP/1.0\r\n\r\n');
    socket.pause();
    // The server fills the socket buffers, then waits; after 0.3 s without progress it gives up.
    expect(await eventually(() => running[0]!.server.activeConnections === 0, 15_000)).toBe(true);
    socket.resume();
    expect(await got.waitClosed(15_000)).not.toBe('timeout');
    expect(got.data.length).toBeLessThan(256 * 1024 * 1024);
  });
});
