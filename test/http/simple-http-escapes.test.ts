/**
 * SimpleHTTPRequestHandler never serves outside its directory. Raw requests try every escape
 * form — `..` plain, percent-encoded, double-encoded and as overlong UTF-8, backslashes, NUL,
 * absolute-form targets, `//`, disk paths, symbolic links leading out (to a file, to a folder,
 * absolute, broken), dotfiles, a FIFO — and must get 404 without a byte of what lies outside.
 * The listing escapes and quotes odd names, its links lead to the files, and it never shows the
 * disk path.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTree, serveFolder, type FileTree } from '../helpers/file-tree.js';
import type { RunningServer } from '../harness/server.js';
import { parseResponses } from '../harness/response.js';
import { sendRaw } from '../harness/client.js';

let tree: FileTree;
let root: string;
let port: number;
let dotPort: number;
const servers: RunningServer[] = [];

const ODD_NAMES = ['<img src=x onerror=alert(1)>.txt', 'say "hi".txt', 'a&b.txt', 'two  spaces.txt', 'ünïcødé ✓.txt', '100%.txt', 'hash#q?.txt', "it's.txt"];

beforeAll(async () => {
  tree = makeTree({
    'outside/secret.txt': 'TOP SECRET\n',
    'outside/inner/also.txt': 'ALSO SECRET\n',
    'served/public.txt': 'public\n',
    'served/sub/file.txt': 'inner\n',
    'served/.env': 'DOT SECRET\n',
    'served/.git/config': 'DOT SECRET\n',
    'served/a\\b.txt': 'backslash name\n',
    'served/link-out': { link: '../outside/secret.txt' },
    'served/dir-out': { link: '../outside' },
    'served/link-in': { link: 'sub/file.txt' },
    'served/broken': { link: 'nowhere' },
    'served/loop': { link: 'loop' },
    'served/<script>/x.txt': 'x\n',
    ...Object.fromEntries(ODD_NAMES.map((n) => [`served/odd/${n}`, `content of ${n}\n`])),
  });
  root = tree.at('served');
  // An absolute link out, a FIFO, and a name that is not UTF-8.
  execFileSync('ln', ['-s', tree.at('outside/secret.txt'), path.join(root, 'abs-out')]);
  execFileSync('mkfifo', [path.join(root, 'pipe')]);
  writeFileSync(Buffer.concat([Buffer.from(`${root}/`), Buffer.from([0x6e, 0xff, 0x2e, 0x74, 0x78, 0x74])]), 'latin-1 name\n');
  for (const allowDotfiles of [false, true]) servers.push(await serveFolder(root, { allowDotfiles }));
  port = servers[0]!.port;
  dotPort = servers[1]!.port;
});

afterAll(async () => {
  tree?.remove();
});

/** GET `target` (raw bytes, HTTP/1.0); the status and body. */
async function get(target: string, on = port): Promise<{ status: number; body: string; raw: string }> {
  const r = await sendRaw(on, `GET ${target} HTTP/1.0\r\n\r\n`, { timeoutMs: 5_000 });
  expect(r.ending, `${target}: the server answered and closed`).not.toBe('timeout');
  const [response] = parseResponses(r.data).responses;
  expect(response, `${target}: ${JSON.stringify(r.data.toString('latin1'))}`).toBeDefined();
  return { status: response!.status, body: response!.body.toString('utf8'), raw: r.data.toString('latin1') };
}

const ESCAPES: ReadonlyArray<readonly [string, string]> = [
  ['dot-dot', '/../outside/secret.txt'],
  ['dot-dot after a folder', '/sub/../../outside/secret.txt'],
  ['encoded dots', '/%2e%2e/outside/secret.txt'],
  ['encoded dots, upper case', '/%2E%2E/outside/secret.txt'],
  ['half-encoded dots', '/.%2e/outside/secret.txt'],
  ['encoded dots and slashes', '/%2e%2e%2foutside%2fsecret.txt'],
  ['dots, encoded slash', '/..%2Foutside%2Fsecret.txt'],
  ['encoded slashes after a folder', '/sub/..%2f..%2foutside/secret.txt'],
  ['double-encoded dots', '/%252e%252e/outside/secret.txt'],
  ['overlong UTF-8 dots', '/%c0%ae%c0%ae/outside/secret.txt'],
  ['overlong UTF-8 slash', '/..%c0%afoutside%c0%afsecret.txt'],
  ['backslashes', '/..\\outside\\secret.txt'],
  ['encoded backslashes', '/..%5coutside%5csecret.txt'],
  ['backslashes after a folder', '/sub\\..\\..\\outside\\secret.txt'],
  ['a file whose name holds a backslash', '/a%5Cb.txt'],
  ['NUL before an extension', '/public.txt%00.html'],
  ['NUL alone', '/%00'],
  ['absolute-form target with dot-dot', 'http://example.com/../outside/secret.txt'],
  ['double slash', '//outside/secret.txt'],
  ['encoded leading slash', '/%2F..%2Foutside/secret.txt'],
  ['encoded absolute path', '/%2fetc%2fpasswd'],
  ['the disk path of the secret', '/<BASE>/outside/secret.txt'],
  ['link to a file outside', '/link-out'],
  ['link to a folder outside, a file in it', '/dir-out/secret.txt'],
  ['link to a folder outside, deeper', '/dir-out/inner/also.txt'],
  ['link to a folder outside, its listing', '/dir-out/'],
  ['absolute link outside', '/abs-out'],
  ['broken link', '/broken'],
  ['link to itself', '/loop'],
  ['dotfile', '/.env'],
  ['dotfile, encoded dot', '/%2eenv'],
  ['dot folder', '/.git/config'],
  ['dot folder listing', '/.git/'],
  ['dotfile after dot-dot', '/sub/../.env'],
  ['a FIFO (would block a reader forever)', '/pipe'],
  ['not UTF-8', '/n%ff.txt'],
];

describe('SimpleHTTPRequestHandler: nothing outside its directory', () => {
  for (const [name, target] of ESCAPES) {
    it(`${name}: ${target} → 404`, async () => {
      const r = await get(target.replace('<BASE>', tree.base.replace(/^\//, '')));
      expect(r.status).toBe(404);
      expect(r.raw).not.toMatch(/SECRET|backslash name|latin-1 name/);
      expect(r.raw).not.toContain(tree.base);
    });
  }

  it('serves what stays inside: a link inside, dot-dot that stays below the root, encoded letters', async () => {
    expect(await get('/link-in')).toMatchObject({ status: 200, body: 'inner\n' });
    expect(await get('/sub/../public.txt')).toMatchObject({ status: 200, body: 'public\n' });
    expect(await get('/%70ublic.txt')).toMatchObject({ status: 200, body: 'public\n' });
    expect(await get('/public.txt?x=../../outside/secret.txt#frag')).toMatchObject({ status: 200, body: 'public\n' });
    expect(await get('http://example.com/sub/file.txt')).toMatchObject({ status: 200, body: 'inner\n' });
  });

  it('a redirect never leads to another host: `//sub` in any form gets Location /sub/ (gh-87389)', async () => {
    for (const target of ['//sub', '///sub', 'http://example.com//sub', 'http://example.com///sub?q']) {
      const r = await get(target);
      expect(r.status, target).toBe(301);
      expect(r.raw, target).toMatch(/\r\nLocation: \/sub\/(?:\?q)?\r\n/);
    }
  });

  it('with allowDotfiles, serves and lists dotfiles, and still nothing outside', async () => {
    expect(await get('/.env', dotPort)).toMatchObject({ status: 200, body: 'DOT SECRET\n' });
    const listing = await get('/', dotPort);
    expect(listing.body).toContain('<li><a href=".env">.env</a></li>');
    expect(listing.body).toContain('<li><a href=".git/">.git/</a></li>');
    for (const target of ['/../outside/secret.txt', '/%2e%2e/outside/secret.txt', '/link-out', '/dir-out/secret.txt']) {
      expect((await get(target, dotPort)).status).toBe(404);
    }
  });

  it('the listing shows what can be served: no dotfiles, no links out, no broken links, no name that is not UTF-8', async () => {
    const { status, body } = await get('/');
    expect(status).toBe(200);
    expect(body).toContain('<li><a href="link-in">link-in@</a></li>');
    expect(body).toContain('<li><a href="pipe">pipe</a></li>');
    for (const hidden of ['.env', '.git', 'link-out', 'dir-out', 'abs-out', 'broken', 'loop', 'n\ufffd']) expect(body).not.toContain(hidden);
    expect(body).not.toContain(tree.base);
  });
});

describe('SimpleHTTPRequestHandler: the listing escapes and quotes names', () => {
  it('HTML-escapes each name shown and URL-quotes each link, which leads to the file', async () => {
    const { status, body } = await get('/odd/');
    expect(status).toBe(200);
    const links = [...body.matchAll(/<li><a href="([^"]*)">([^<]*)<\/a><\/li>/g)].map((m) => ({ href: m[1]!, text: m[2]! }));
    expect(links.map((l) => l.text).sort()).toEqual(ODD_NAMES.map((n) => n.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')).sort());
    for (const { href } of links) {
      expect(href).toMatch(/^[A-Za-z0-9_.~\-%]+$/); // quoted: no quote, space, <, &, #, ? or non-ASCII left
      const name = decodeURIComponent(href);
      expect(await get(`/odd/${href}`)).toMatchObject({ status: 200, body: `content of ${name}\n` });
    }
    expect(body).not.toContain('<img');
  });

  it('escapes the path in the title, and leaves the query out of it', async () => {
    const folder = await get('/%3Cscript%3E/');
    expect(folder.status).toBe(200);
    expect(folder.body).toContain('<title>Directory listing for /&lt;script&gt;/</title>');
    const withQuery = await get('/sub/?%3Cimg%20src=x%3E');
    expect(withQuery.body).toContain('<title>Directory listing for /sub/</title>');
    expect(withQuery.body).not.toMatch(/<img|&lt;img/);
  });
});
