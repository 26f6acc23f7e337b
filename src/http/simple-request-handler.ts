import { constants } from 'node:fs';
import { type FileHandle, open, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { SocketWriter } from '../socketserver/socket-writer.js';
import { evaluatePreconditions, type FileValidators, fileEtag, selectRange } from './conditional.js';
import { isInside, readListing, renderListing } from './directory-listing.js';
import { ENCODINGS_MAP_DEFAULT, MEDIA_TYPES } from './mime-types.js';
import { BaseHTTPRequestHandler } from './request-handler.js';
import { unquote, unquoteStrict } from './url-path.js';
import { VERSION } from './version.js';

const SERVER_VERSION = `SimpleHTTP/${VERSION}`;
const INDEX_PAGES: readonly string[] = Object.freeze(['index.html', 'index.htm']);
/** Never block a worker thread on a FIFO, never follow a link swapped in after the check. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);
const SCHEME_AND_AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/;
const WINDOWS = process.platform === 'win32';

/**
 * The path of a request target: query and fragment cut, and the scheme and host of an absolute-form
 * target (its leading slashes then collapsed into one, as the core does for origin-form).
 */
function targetPath(target: string): { path: string; query: string; fragment: string } {
  let rest = target;
  let fragment = '';
  let query = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const authority = SCHEME_AND_AUTHORITY.exec(rest);
  if (authority !== null) {
    rest = rest.slice(authority[0].length) || '/';
    // As parse-request.ts does for origin-form (gh-87389): `http://h//evil.com/dir` must not
    // redirect to `//evil.com/dir/`, which a client reads as another host.
    if (rest.startsWith('//')) rest = `/${rest.replace(/^\/+/, '')}`;
  }
  return { path: rest, query, fragment };
}

/** What a resolved path is, or null when it vanished meanwhile. */
async function kindOf(real: string): Promise<'dir' | 'file' | 'other' | null> {
  try {
    const st = await stat(real);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  } catch {
    return null;
  }
}

/**
 * Serves the files below `directory` (Python's `http.server.SimpleHTTPRequestHandler`), to GET
 * and HEAD, with CPython 3.13's directory listing, redirect, 404 pages and `If-Modified-Since`,
 * and beyond it: `ETag` and the other preconditions of RFC 9110 §13, `Range` / `If-Range`
 * (§14), and files streamed with backpressure.
 *
 * Nothing outside `directory` is ever served: a path is percent-decoded, then refused with 404
 * when it holds NUL or a backslash, is not UTF-8, climbs above the root with `..`, names a
 * dotfile (unless `allowDotfiles`), or resolves — through symbolic links — to a place outside
 * `directory` (CPython follows such links). The listing shows only what can be served.
 *
 * - For the server: `do_GET()`, `do_HEAD()`.
 * - May be overridden: `sendHead()`, `listDirectory()`, `translatePath()`, `copyfile()`,
 *   `guessType()`, and `BaseHTTPRequestHandler`'s hooks.
 * - Class fields that may be overridden: `directory` (the process's working directory when the
 *   handler is made), `indexPages` (`index.html`, `index.htm`), `extensionsMap` (CPython's:
 *   `.gz`, `.Z`, `.bz2`, `.xz`; consulted before the built-in table), `allowDotfiles` (false:
 *   names starting with `.` are neither listed nor served), `serverVersion` (`SimpleHTTP/<version>`),
 *   and the handler's `timeout` (seconds; when set, it also bounds a wait for a client to take
 *   the file's bytes, as CPython's socket timeout does).
 */
export class SimpleHTTPRequestHandler extends BaseHTTPRequestHandler {
  override serverVersion = SERVER_VERSION;
  /** The folder served. */
  directory: string = process.cwd();
  /** Files served for a directory, first found first. */
  indexPages: readonly string[] = INDEX_PAGES;
  /** Extension → media type, looked up before the built-in table (exact case, then lower case). */
  extensionsMap: Readonly<Record<string, string>> = ENCODINGS_MAP_DEFAULT;
  /** Serve and list names that start with `.` (hidden by default). */
  allowDotfiles = false;

  /** Bytes the current response's body must have (-1: not a file), to close when a file shrank. */
  #bodyLength = -1;

  /** Serves a GET request: the headers, then the body. */
  async do_GET(): Promise<void> {
    this.#bodyLength = -1;
    const source = await this.sendHead();
    if (source === null) return;
    const before = this.wfile.written;
    try {
      await this.copyfile(source, this.wfile);
    } finally {
      source.destroy();
    }
    // A file cut short while it was sent leaves the response short of its Content-Length.
    if (this.#bodyLength >= 0 && this.wfile.written - before !== this.#bodyLength) this.closeConnection = true;
  }

  /** Serves a HEAD request: the headers GET would send. */
  async do_HEAD(): Promise<void> {
    const source = await this.sendHead();
    source?.destroy();
  }

  /**
   * Sends the status line and headers for GET and HEAD; returns the body still to send (a
   * stream the caller must destroy), or null when the response is complete (an error, a
   * redirect, 304, 412, 416). May be overridden.
   */
  async sendHead(): Promise<Readable | null> {
    let path = this.translatePath(this.path);
    if (path === null) return this.#notFound();
    const root = await realpath(this.directory).catch(() => null);
    let real = root === null ? null : await this.#resolve(path, root);
    if (real === null) return this.#notFound();
    if ((await kindOf(real)) === 'dir') {
      const { path: urlPath, query, fragment } = targetPath(this.path);
      if (!/(?:\/|%2f)$/i.test(urlPath)) {
        // Redirect to the directory's URL (what Apache does), keeping query and fragment. The
        // Location is the path alone, also for an absolute-form target (CPython repeats its host).
        this.sendResponse(301);
        this.sendHeader('Location', `${urlPath}/${query === '' ? '' : `?${query}`}${fragment === '' ? '' : `#${fragment}`}`);
        this.sendHeader('Content-Length', '0');
        this.endHeaders();
        return null;
      }
      let index: string | null = null;
      for (const name of this.indexPages) {
        const candidate = await this.#resolve(join(path, name), root!);
        if (candidate !== null && (await kindOf(candidate)) === 'file') {
          index = candidate;
          path = join(path, name);
          break;
        }
      }
      if (index === null) return this.listDirectory(path);
      real = index;
    }
    // A trailing slash names a directory; a file with one is not found (CPython's Issue17324).
    if (path.endsWith('/') || path.endsWith(sep)) return this.#notFound();
    let handle: FileHandle;
    try {
      handle = await open(real, OPEN_FLAGS);
    } catch {
      return this.#notFound();
    }
    try {
      return await this.#sendFileHead(handle, this.guessType(path));
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  /** The resolved path of `path` when it exists inside `root`, else null. */
  async #resolve(path: string, root: string): Promise<string | null> {
    try {
      const real = await realpath(path);
      return isInside(real, root) ? real : null;
    } catch {
      return null;
    }
  }

  #notFound(): null {
    this.sendError(404, 'File not found');
    return null;
  }

  /** The headers of a file (200, 206, 304, 412 or 416), and its body as a stream when it has one. */
  async #sendFileHead(handle: FileHandle, ctype: string): Promise<Readable | null> {
    const st = await handle.stat({ bigint: true });
    // Only regular files: a FIFO or a device would never end (or block).
    if (!st.isFile()) {
      await handle.close();
      return this.#notFound();
    }
    const size = Number(st.size);
    const file: FileValidators = { etag: fileEtag(st.mtimeNs, st.size), lastModified: Number(st.mtimeNs / 1_000_000_000n) };
    const verdict = evaluatePreconditions(this.headers, file);
    if (verdict !== 200) {
      await handle.close();
      this.sendResponse(verdict);
      // RFC 9110 §15.4.5: a 304 carries the ETag a 200 would have.
      if (verdict === 304) this.sendHeader('ETag', file.etag);
      else this.sendHeader('Content-Length', '0');
      this.endHeaders();
      return null;
    }
    const range = this.command === 'GET' ? selectRange(this.headers, size, file, Math.floor(Date.now() / 1000)) : null;
    if (range?.kind === 'unsatisfiable') {
      await handle.close();
      this.sendResponse(416);
      this.sendHeader('Content-Range', `bytes */${size}`);
      this.sendHeader('Content-Length', '0');
      this.endHeaders();
      return null;
    }
    const part = range?.kind === 'part' ? range : null;
    const start = part === null ? 0 : part.start;
    const length = part === null ? size : part.end - part.start + 1;
    this.sendResponse(part === null ? 200 : 206);
    this.sendHeader('Content-type', ctype);
    if (part !== null) this.sendHeader('Content-Range', `bytes ${part.start}-${part.end}/${size}`);
    this.sendHeader('Content-Length', String(length));
    this.sendHeader('Last-Modified', this.dateTimeString(file.lastModified));
    this.sendHeader('ETag', file.etag);
    this.sendHeader('Accept-Ranges', 'bytes');
    this.endHeaders();
    this.#bodyLength = length;
    if (length === 0) {
      await handle.close();
      return Readable.from([]);
    }
    // Read no further than the length announced, even if the file grows meanwhile.
    return handle.createReadStream({ start, end: start + length - 1 });
  }

  /**
   * Sends a listing of directory `path` (the translated path) as CPython 3.13 does, byte for
   * byte; returns its body, or null after a 404 when the directory cannot be read. May be
   * overridden.
   */
  async listDirectory(path: string): Promise<Readable | null> {
    let page: Buffer;
    try {
      const root = await realpath(this.directory);
      page = renderListing(unquote(targetPath(this.path).path), await readListing(path, root, this.allowDotfiles));
    } catch {
      this.sendError(404, 'No permission to list directory');
      return null;
    }
    this.sendResponse(200);
    this.sendHeader('Content-type', 'text/html; charset=utf-8');
    this.sendHeader('Content-Length', String(page.length));
    this.endHeaders();
    this.#bodyLength = page.length;
    return Readable.from([page]);
  }

  /**
   * Maps a request target to a path below `directory`, or null when it must not be served (then
   * 404). Query and fragment are dropped, `%XX` decoded (as UTF-8), `.` segments and empty ones
   * skipped, `..` goes up one segment; refused: NUL, backslash, not UTF-8, `..` above the root,
   * dotfiles unless `allowDotfiles`, and on Windows a `:` (drive or stream names). A trailing
   * slash is kept. Lexical only: `sendHead()` then checks where symbolic links lead. May be
   * overridden.
   */
  translatePath(path: string): string | null {
    const decoded = unquoteStrict(targetPath(path).path);
    if (decoded === null || decoded.includes('\0') || decoded.includes('\\')) return null;
    const words: string[] = [];
    for (const word of decoded.split('/')) {
      if (word === '' || word === '.') continue;
      if (word === '..') {
        if (words.pop() === undefined) return null;
        continue;
      }
      if ((!this.allowDotfiles && word.startsWith('.')) || (WINDOWS && word.includes(':'))) return null;
      words.push(word);
    }
    const joined = join(this.directory, ...words);
    return decoded.endsWith('/') ? `${joined}${sep}` : joined;
  }

  /**
   * Copies `source` to `outputfile`, waiting for the socket to drain after each chunk, so a file
   * of any size never sits in memory. Stops when the client goes away. May be overridden.
   */
  async copyfile(source: Readable, outputfile: SocketWriter): Promise<void> {
    const socket = this.request;
    for await (const chunk of source) {
      if (socket.destroyed) return;
      outputfile.write(chunk as Buffer);
      if (socket.writableNeedDrain) await this.#drain(outputfile);
    }
  }

  /** Waits for the socket to take the bytes; with a `timeout`, a client that takes none is cut. */
  async #drain(outputfile: SocketWriter): Promise<void> {
    if (this.timeout === null) return outputfile.drain();
    const socket = this.request;
    const cut = (): void => {
      socket.destroy();
    };
    socket.once('timeout', cut);
    try {
      await outputfile.drain();
    } finally {
      socket.off('timeout', cut);
    }
  }

  /**
   * The media type for `path`: its extension in `extensionsMap` (as is, then in lower case), then
   * in the built-in table (`mime-types.ts`), else `application/octet-stream`. May be overridden.
   */
  guessType(path: string): string {
    const ext = extname(path);
    const map = this.extensionsMap;
    if (Object.hasOwn(map, ext)) return map[ext]!;
    const lower = ext.toLowerCase();
    if (Object.hasOwn(map, lower)) return map[lower]!;
    return MEDIA_TYPES.get(lower) ?? 'application/octet-stream';
  }
}
