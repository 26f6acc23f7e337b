/**
 * The directory listing in a real browser (headless Chromium, Debian's `chromium` package):
 * every link, as the browser resolves it, leads to its file or folder — odd names included
 * (quotes, `<`, `&`, `#`, `?`, `%`, spaces, non-ASCII) — clicking one opens the file, a folder
 * link opens its listing, and no name turns into markup (an `<img onerror>` name stays text).
 * Skipped, with the reason in its title, only when no Chromium is installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, findChromium } from '../helpers/chromium.js';
import { makeTree, serveFolder, type FileTree } from '../helpers/file-tree.js';
import type { RunningServer } from '../harness/server.js';

const chromium = findChromium();
const missing = chromium === null ? ' [skipped: chromium not found; apt-get install chromium, or set CHROMIUM]' : '';

const FILES: Readonly<Record<string, string>> = {
  'plain.txt': 'plain file',
  'two words.txt': 'with a space',
  'quote".txt': 'with a quote',
  '<img src=x onerror="document.title=\'pwned\'">.txt': 'markup in the name',
  'a&b.txt': 'ampersand',
  'hash#1.txt': 'hash',
  'query?.txt': 'question mark',
  '100%.txt': 'percent',
  'grüße ✓.txt': 'non-ASCII',
};
const FOLDER = 'sub folder';

let tree: FileTree;
let server: RunningServer | undefined;
let browser: Browser | null = null;
let base = '';

beforeAll(async () => {
  if (chromium === null) return;
  tree = makeTree({
    ...Object.fromEntries(Object.entries(FILES).map(([n, c]) => [`site/${n}`, c])),
    [`site/${FOLDER}/inner.txt`]: 'inside the folder',
  });
  server = await serveFolder(tree.at('site'), { protocolVersion: 'HTTP/1.1' });
  base = `http://127.0.0.1:${server.port}/`;
  browser = await Browser.launch(chromium);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  tree?.remove();
});

interface Link {
  text: string;
  href: string;
}

const LINKS = `[...document.querySelectorAll('ul a')].map((a) => ({ text: a.textContent, href: a.href }))`;

describe(`the listing in headless Chromium${missing}`, () => {
  it.skipIf(chromium === null)('shows every name as text, markup included, and runs none of it', async () => {
    await browser!.goto(base);
    expect(await browser!.evaluate<string>('document.title')).toBe('Directory listing for /');
    expect(await browser!.evaluate<number>('document.querySelectorAll("img").length')).toBe(0);
    const links = await browser!.evaluate<Link[]>(LINKS);
    expect(links.map((l) => l.text).sort()).toEqual([...Object.keys(FILES), `${FOLDER}/`].sort());
  });

  it.skipIf(chromium === null)('each link, as the browser resolves it, leads to its file', async () => {
    await browser!.goto(base);
    const links = await browser!.evaluate<Link[]>(LINKS);
    for (const { text, href } of links) {
      expect(href.startsWith(base), href).toBe(true);
      const got = await browser!.evaluate<{ status: number; body: string }>(
        `fetch(${JSON.stringify(href)}).then(async (r) => ({ status: r.status, body: await r.text() }))`,
      );
      expect(got.status, `${text} → ${href}`).toBe(200);
      if (text === `${FOLDER}/`) expect(got.body).toContain(`<title>Directory listing for /${FOLDER}/</title>`);
      else expect(got.body, `${text} → ${href}`).toBe(FILES[text]);
    }
  });

  it.skipIf(chromium === null)('clicking a link opens the file; a folder link opens its listing, whose links work too', async () => {
    await browser!.goto(base);
    const clickOn = (text: string): string => `[...document.querySelectorAll('ul a')].find((a) => a.textContent === ${JSON.stringify(text)}).click()`;
    await browser!.navigateBy(clickOn('grüße ✓.txt'));
    expect(await browser!.evaluate<string>('document.body.innerText')).toBe('non-ASCII');
    await browser!.goto(base);
    await browser!.navigateBy(clickOn(`${FOLDER}/`));
    expect(await browser!.evaluate<string>('document.title')).toBe(`Directory listing for /${FOLDER}/`);
    await browser!.navigateBy(clickOn('inner.txt'));
    expect(await browser!.evaluate<string>('location.pathname')).toBe('/sub%20folder/inner.txt');
    expect(await browser!.evaluate<string>('document.body.innerText')).toBe('inside the folder');
  });
});
