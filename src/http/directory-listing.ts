import { isUtf8 } from 'node:buffer';
import { readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { htmlEscape } from './text.js';
import { quote } from './url-path.js';

/**
 * The directory listing page of `SimpleHTTPRequestHandler`: which entries it shows, in which
 * order, and CPython 3.13's HTML, byte for byte.
 */

/** One entry of a listing. */
export interface ListingEntry {
  readonly name: string;
  /** A directory, or a symbolic link to one: the link gets a trailing `/`. */
  readonly isDir: boolean;
  /** A symbolic link: shown with a trailing `@`, as CPython. */
  readonly isLink: boolean;
}

/** True when `real` (a resolved path) is `root` or inside it. */
export function isInside(real: string, root: string): boolean {
  const rel = relative(root, real);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * The entries of directory `dir` that can be served from `root` (a resolved path): names that are
 * UTF-8 (node reads paths as UTF-8 strings), not starting with `.` unless `dotfiles`, and symbolic
 * links only when they resolve inside `root` (a link leading out is never served, so it is not
 * listed either; nor is a broken one). Sorted as CPython sorts them (`sortListing`).
 */
export async function readListing(dir: string, root: string, dotfiles: boolean): Promise<ListingEntry[]> {
  const dirents = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
  const entries: ListingEntry[] = [];
  for (const d of dirents) {
    const raw = d.name as unknown as Buffer; // encoding 'buffer': the name's bytes
    if (!isUtf8(raw)) continue;
    const name = raw.toString('utf8');
    if (!dotfiles && name.startsWith('.')) continue;
    if (!d.isSymbolicLink()) {
      entries.push({ name, isDir: d.isDirectory(), isLink: false });
      continue;
    }
    try {
      const real = await realpath(join(dir, name));
      if (!isInside(real, root)) continue;
      entries.push({ name, isDir: (await stat(real)).isDirectory(), isLink: true });
    } catch {
      // broken link, or one that loops: nothing to serve
    }
  }
  return sortListing(entries);
}

/** Compares by Unicode code point, as Python compares strings (UTF-16 order differs above U+FFFF). */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    // A surrogate stands for a code point above U+FFFF: it sorts after any other UTF-16 unit.
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * CPython's order, `list.sort(key=str.lower)`, then by the name itself for names that differ only
 * in case (CPython keeps those in the file system's order, which varies).
 */
export function sortListing(entries: ListingEntry[]): ListingEntry[] {
  const keyed = entries.map((e) => ({ e, key: e.name.toLowerCase() }));
  keyed.sort((a, b) => compareCodePoints(a.key, b.key) || compareCodePoints(a.e.name, b.e.name));
  return keyed.map((k) => k.e);
}

/**
 * CPython 3.13's listing page, UTF-8: `displayPath` is the request's path, percent-decoded (it is
 * HTML-escaped here); each entry links to its URL-quoted name and shows its HTML-escaped name
 * (`/` after a directory, `@` after a symbolic link). Never a path on disk.
 */
export function renderListing(displayPath: string, entries: readonly ListingEntry[]): Buffer {
  const title = `Directory listing for ${htmlEscape(displayPath)}`;
  const lines = [
    '<!DOCTYPE HTML>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${title}</title>\n</head>`,
    `<body>\n<h1>${title}</h1>`,
    '<hr>\n<ul>',
  ];
  for (const { name, isDir, isLink } of entries) {
    const link = isDir ? `${name}/` : name;
    const shown = isLink ? `${name}@` : link;
    lines.push(`<li><a href="${quote(link)}">${htmlEscape(shown)}</a></li>`);
  }
  lines.push('</ul>\n<hr>\n</body>\n</html>\n');
  return Buffer.from(lines.join('\n'), 'utf8');
}
