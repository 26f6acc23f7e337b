/**
 * Folders of files for the file server's tests, made in a fresh temporary directory.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SimpleHTTPRequestHandler } from '../../src/index.js';
import { startServer, type RunningServer } from '../harness/server.js';

/** A file's content, a directory (`null`), or a symbolic link to `link` (relative or absolute). */
export type TreeNode = string | Buffer | null | { readonly link: string };

/** A temporary directory and the folders and files made in it. */
export interface FileTree {
  readonly base: string;
  /** `base` joined with a relative path. */
  at(relative: string): string;
  remove(): void;
}

/**
 * Makes each `relative path → node` below a new temporary directory (parents first; links
 * last). With `mtime` (seconds since the epoch), every file and folder made gets that
 * modification time, so a response's `Last-Modified` does not depend on when the test ran.
 */
export function makeTree(nodes: Readonly<Record<string, TreeNode>>, mtime?: number): FileTree {
  const base = mkdtempSync(path.join(tmpdir(), 'basehttp-files-'));
  const at = (relative: string): string => path.join(base, relative);
  const entries = Object.entries(nodes);
  for (const [relative, node] of entries) {
    if (node !== null && typeof node === 'object' && !Buffer.isBuffer(node)) continue;
    const target = at(relative);
    mkdirSync(node === null ? target : path.dirname(target), { recursive: true });
    if (node !== null) writeFileSync(target, node);
  }
  for (const [relative, node] of entries) {
    if (node !== null && typeof node === 'object' && !Buffer.isBuffer(node)) {
      mkdirSync(path.dirname(at(relative)), { recursive: true });
      symlinkSync(node.link, at(relative));
    }
  }
  if (mtime !== undefined) {
    // Deepest first, so setting a folder's time is not undone by touching what is inside it.
    const made = entries.filter(([, n]) => n === null || typeof n === 'string' || Buffer.isBuffer(n)).map(([r]) => r);
    const folders = new Set<string>();
    for (const r of made) for (let d = path.dirname(r); d !== '.'; d = path.dirname(d)) folders.add(d);
    for (const r of [...made, ...folders].sort((a, b) => b.length - a.length)) utimesSync(at(r), mtime, mtime);
  }
  return { base, at, remove: () => rmSync(base, { recursive: true, force: true }) };
}

/** Handler settings a file-server test may change. */
export type FolderSettings = Partial<Pick<SimpleHTTPRequestHandler, 'protocolVersion' | 'allowDotfiles' | 'indexPages' | 'extensionsMap' | 'timeout'>>;

/**
 * Serves `directory` with a quiet `SimpleHTTPRequestHandler` subclass (`Base`) on 127.0.0.1:0,
 * with `settings` applied to each handler; closed after the test or file (test/harness/server.ts).
 */
export function serveFolder(directory: string, settings: FolderSettings = {}, Base: typeof SimpleHTTPRequestHandler = SimpleHTTPRequestHandler): Promise<RunningServer> {
  class Handler extends Base {
    override directory = directory;
    override logMessage(): void {}
    constructor(...args: ConstructorParameters<typeof SimpleHTTPRequestHandler>) {
      super(...args);
      Object.assign(this, settings);
    }
  }
  return startServer(Handler);
}
