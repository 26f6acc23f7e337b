/**
 * SimpleHTTPRequestHandler against `python3.13 -m http.server`, byte for byte: the same raw
 * requests go to CPython's command and to ours serving the same folder (fixed modification
 * times); the responses must be equal once the values of Date and Server are replaced. Where we
 * answer differently on purpose — files carry `ETag` and `Accept-Ranges`, a 304 its `ETag`, and
 * what leads outside the folder or to a dotfile is refused — `DIFFERENCES` says why and pins our
 * answer against CPython's; such an entry fails once both agree.
 *
 * Without CPython 3.13 the test compares with test/cpython/golden-simple-3.13.json, recorded with
 * `CPYTHON_RECORD=1 npx vitest run test/conformance/simple-http-cpython.test.ts`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeUntilQuiet } from '../harness/client.js';
import { findPython, latin1, normaliseResponse, startPythonHttpServer, type PythonHttpServer } from '../helpers/cpython.js';
import { makeTree, serveFolder, type FileTree } from '../helpers/file-tree.js';
import type { RunningServer } from '../harness/server.js';

/** 2024-01-02 03:04:05 UTC: every file's and folder's modification time. */
const MTIME = 1_704_164_645;
const MTIME_HTTP = 'Tue, 02 Jan 2024 03:04:05 GMT';

const TREE = {
  'a.txt': 'hello\n',
  'B.md': '# B\n',
  'x <&"y>.html': '<p>odd name</p>\n',
  'grüße ü.txt': 'non-ASCII\n',
  '100%.txt': 'percent\n',
  'sub/inner.txt': 'inner\n',
  'sub/deeper/leaf.json': '{}\n',
  empty: null,
  'withindex/index.html': '<h1>index</h1>\n',
  'withindex/other.txt': 'other\n',
  'archive.tar.gz': 'not really gzip',
  alias: { link: 'a.txt' },
  sublink: { link: 'sub' },
  'links/inside': { link: '../a.txt' },
  'links/leak': { link: '../../outside/secret.txt' },
  'dots/.env': 'SECRET=1\n',
  'dots/visible.txt': 'visible\n',
  // A sibling of the served folder: what a leaking link would expose.
  '../outside/secret.txt': 'TOP SECRET\n',
} as const;

interface Case {
  readonly name: string;
  readonly request: string;
  readonly head?: boolean;
}

const get = (name: string, target: string, headers = ''): Case => ({ name, request: `GET ${target} HTTP/1.0\r\n${headers}\r\n` });

const CASES: readonly Case[] = [
  get('listing of /', '/'),
  get('listing of a subfolder', '/sub/'),
  get('listing of an empty folder', '/empty/'),
  get('listing, percent-encoded path shown decoded', '/%73ub/deeper/'),
  { name: 'listing, HEAD', request: 'HEAD / HTTP/1.0\r\n\r\n', head: true },
  get('301 adds the slash', '/sub'),
  get('301 keeps the query', '/sub?a=1&b=2'),
  get('301 through a link to a folder', '/sublink'),
  get('301 for //sub names this host (gh-87389)', '//sub'),
  get('listing, %2F as the trailing slash', '/sub%2F'),
  get('listing, with a query', '/sub/?q=1'),
  get('404 missing file', '/missing.txt'),
  get('404 file with a trailing slash', '/a.txt/'),
  { name: '404, HEAD', request: 'HEAD /missing.txt HTTP/1.0\r\n\r\n', head: true },
  get('304 If-Modified-Since equal', '/a.txt', `If-Modified-Since: ${MTIME_HTTP}\r\n`),
  get('304 If-Modified-Since later', '/a.txt', 'If-Modified-Since: Wed, 03 Jan 2024 00:00:00 GMT\r\n'),
  get('200 If-Modified-Since earlier', '/a.txt', 'If-Modified-Since: Mon, 01 Jan 2024 00:00:00 GMT\r\n'),
  get('200 If-Modified-Since malformed', '/a.txt', 'If-Modified-Since: yesterday\r\n'),
  get('200 file', '/a.txt'),
  get('200 file with an odd name', '/x%20%3C%26%22y%3E.html'),
  get('200 non-ASCII name', '/gr%C3%BC%C3%9Fe%20%C3%BC.txt'),
  get('200 compressed file keeps its type', '/archive.tar.gz'),
  get('200 index.html for a folder', '/withindex/'),
  get('200 through a link inside the folder', '/alias'),
  get('listing of links', '/links/'),
  get('link leading outside', '/links/leak'),
  get('listing with a dotfile', '/dots/'),
  get('dotfile', '/dots/.env'),
  get('dot-dot above the root', '/../a.txt'),
];

/** Our answer is CPython's with these header lines added before the blank line. */
function withHeaders(...names: string[]) {
  return (ours: string, cpython: string): void => {
    const blank = cpython.indexOf('\r\n\r\n');
    const added = names.map((n) => {
      const m = new RegExp(`\\r\\n(${n}: [^\\r\\n]*)`).exec(ours);
      expect(m, `${n} in ${JSON.stringify(ours)}`).not.toBeNull();
      return `\r\n${m![1]}`;
    });
    expect(ours).toBe(`${cpython.slice(0, blank)}${added.join('')}${cpython.slice(blank)}`);
  };
}

function notFound(ours: string, cpython: string): void {
  expect(cpython).toMatch(/^HTTP\/1\.0 200 OK\r\n/);
  expect(ours).toMatch(/^HTTP\/1\.0 404 File not found\r\n/);
  expect(ours).not.toMatch(/SECRET/);
}

const FILE_HEADERS = withHeaders('ETag', 'Accept-Ranges');
const DIFFERENCES: Readonly<Record<string, { reason: string; check(ours: string, cpython: string): void }>> = {
  '304 If-Modified-Since equal': { reason: 'RFC 9110 §15.4.5: a 304 carries the ETag the 200 would', check: withHeaders('ETag') },
  '304 If-Modified-Since later': { reason: 'as above', check: withHeaders('ETag') },
  '200 If-Modified-Since earlier': { reason: 'files carry ETag and Accept-Ranges (RFC 9110 §8.8.3, §14.3)', check: FILE_HEADERS },
  '200 If-Modified-Since malformed': { reason: 'as above', check: FILE_HEADERS },
  '200 file': { reason: 'as above', check: FILE_HEADERS },
  '200 file with an odd name': { reason: 'as above', check: FILE_HEADERS },
  '200 non-ASCII name': { reason: 'as above', check: FILE_HEADERS },
  '200 compressed file keeps its type': { reason: 'as above', check: FILE_HEADERS },
  '200 index.html for a folder': { reason: 'as above', check: FILE_HEADERS },
  '200 through a link inside the folder': { reason: 'as above (CPython and we both type a name without extension as octet-stream)', check: FILE_HEADERS },
  'listing of links': {
    reason: 'a link that resolves outside the folder is not listed (it is never served)',
    check(ours, cpython) {
      expect(cpython).toContain('<li><a href="leak">leak@</a></li>\n');
      expect(ours).toBe(
        cpython
          .replace('\n<li><a href="leak">leak@</a></li>', '')
          .replace(/Content-Length: \d+/, `Content-Length: ${Buffer.byteLength(ours.slice(ours.indexOf('\r\n\r\n') + 4))}`),
      );
    },
  },
  'listing, %2F as the trailing slash': {
    reason: 'a trailing %2F is a slash, as in later CPython versions (3.13.0 redirects to …%2F/)',
    check(ours, cpython) {
      expect(cpython).toMatch(/^HTTP\/1\.0 301 Moved Permanently\r\n[^]*\r\nLocation: \/sub%2F\/\r\n/);
      expect(ours).toMatch(/^HTTP\/1\.0 200 OK\r\n[^]*<title>Directory listing for \/sub\/<\/title>/);
    },
  },
  'listing, with a query': {
    reason: 'the title names the folder without the query, as in later CPython versions',
    check(ours, cpython) {
      expect(ours).toBe(cpython.replaceAll('/sub/?q=1<', '/sub/<').replace(/Content-Length: \d+/, (m) => `Content-Length: ${Number(m.slice(16)) - 8}`));
    },
  },
  'link leading outside': { reason: 'CPython follows a link out of the folder; we answer 404', check: notFound },
  'listing with a dotfile': {
    reason: 'dotfiles are hidden unless allowDotfiles',
    check(ours, cpython) {
      expect(cpython).toContain('<li><a href=".env">.env</a></li>\n');
      expect(ours).not.toContain('.env');
      expect(ours).toContain('<li><a href="visible.txt">visible.txt</a></li>');
    },
  },
  dotfile: { reason: 'dotfiles are not served unless allowDotfiles', check: notFound },
  'dot-dot above the root': {
    reason: 'a path that climbs above the root is refused (CPython clamps it at the root)',
    check(ours, cpython) {
      expect(cpython).toMatch(/^HTTP\/1\.0 200 OK\r\n[^]*hello\n$/);
      expect(ours).toMatch(/^HTTP\/1\.0 404 File not found\r\n/);
    },
  },
};

const RECORD = process.env.CPYTHON_RECORD === '1';
const GOLDEN = fileURLToPath(new URL('../cpython/golden-simple-3.13.json', import.meta.url));
const lookup = findPython('3.13');

let tree: FileTree;
let server: RunningServer;
let python: PythonHttpServer | null = null;
let golden: { python: string; cases: Record<string, string> } | null = null;
const live: Record<string, string> = {};

beforeAll(async () => {
  tree = makeTree(Object.fromEntries(Object.entries(TREE).map(([k, v]) => [`served/${k}`, v])), MTIME);
  const root = tree.at('served');
  server = await serveFolder(root);
  if (lookup.found) python = await startPythonHttpServer(lookup.python, ['-d', root]);
  else if (existsSync(GOLDEN)) golden = JSON.parse(readFileSync(GOLDEN, 'utf8'));
});

afterAll(async () => {
  await python?.stop();
  tree?.remove();
  if (RECORD && python !== null && lookup.found) {
    writeFileSync(GOLDEN, `${JSON.stringify({ python: lookup.python.version, cases: live }, null, 1)}\n`);
  }
});

async function answer(port: number, c: Case): Promise<string> {
  const r = await exchangeUntilQuiet(port, [latin1(c.request)], c.head ? { head: true } : {});
  expect(r.end).toBe('closed');
  return normaliseResponse(r.bytes);
}

const source = lookup.found ? `CPython ${lookup.python.version}` : 'golden-simple-3.13.json (CPython not found)';
describe(`SimpleHTTPRequestHandler against python3.13 -m http.server (${source})`, () => {
  for (const c of CASES) {
    const difference = DIFFERENCES[c.name];
    it(difference === undefined ? `${c.name}: same bytes` : `${c.name}: differs on purpose (${difference.reason})`, async () => {
      const ours = await answer(server.port, c);
      let cpython: string;
      if (python !== null) {
        cpython = await answer(python.port, c);
        live[c.name] = cpython;
      } else {
        expect(golden, 'no CPython 3.13 and no golden file').not.toBeNull();
        cpython = golden!.cases[c.name]!;
      }
      if (difference === undefined) {
        expect(ours).toBe(cpython);
      } else {
        expect(ours).not.toBe(cpython);
        difference.check(ours, cpython);
      }
    });
  }

  it.skipIf(!lookup.found)("the golden file still holds CPython 3.13's answers", () => {
    if (RECORD || !existsSync(GOLDEN)) return;
    const recorded = JSON.parse(readFileSync(GOLDEN, 'utf8')) as { cases: Record<string, string> };
    expect(recorded.cases).toEqual(live);
  });
});
