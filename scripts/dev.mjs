// `npm run dev`: rebuilds and restarts the service on change, with no dependency beyond
// TypeScript and Node 20's own watch mode.
//
// 1. `tsc -p tsconfig.json --watch` recompiles src/ into dist/ on every save.
// 2. Once its first build is done (so that build's writes cause no restart), Node's watch mode
//    runs `dist/main.js` and restarts it (SIGTERM, then a fresh process) whenever a file under
//    dist/ changes, or the HANDLER_MODULE file when that path lies outside dist/ (a handler being
//    edited, a test fixture; its own imports are not watched). The paths are named with
//    `--watch-path` rather than left to `--watch`'s tracking of imported files, so the watchers
//    exist before the service starts. The environment passes through unchanged.
//
// SIGINT or SIGTERM stops both children, then this process; so does either child dying.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = resolve(root, 'dist');
const tscBin = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** The file HANDLER_MODULE names, when it is a path (as src/service/handler-module.ts reads it). */
function handlerPath(spec) {
  if (spec === undefined || spec === '') return null;
  if (spec.startsWith('file:')) return fileURLToPath(spec);
  const isPath = spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..' || isAbsolute(spec);
  return isPath ? resolve(process.cwd(), spec) : null;
}

/** dist/, and HANDLER_MODULE's file when it lies outside dist/. */
function watchPaths() {
  const handler = handlerPath(process.env.HANDLER_MODULE);
  if (handler === null) return [dist];
  const fromDist = relative(dist, handler);
  return fromDist.startsWith('..') || isAbsolute(fromDist) ? [dist, handler] : [dist];
}

const children = new Set();
let stopping = false;

function stop(code) {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  for (const child of children) child.kill('SIGTERM');
}

function track(child, name) {
  children.add(child);
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (!stopping) {
      process.stderr.write(`dev: ${name} exited (${signal ?? code}); stopping\n`);
      stop(1);
    }
  });
  return child;
}

const tsc = track(
  spawn(process.execPath, [tscBin, '-p', 'tsconfig.json', '--watch', '--preserveWatchOutput'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] }),
  'tsc --watch',
);

let service = null;
let pending = '';
tsc.stdout.setEncoding('utf8');
tsc.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  if (service !== null || stopping) return;
  pending += chunk;
  // tsc ends each build report with "Found N errors. Watching for file changes."
  if (!/Watching for file changes/.test(pending)) return;
  pending = '';
  const watch = watchPaths().map((path) => `--watch-path=${path}`);
  service = track(spawn(process.execPath, [...watch, resolve(dist, 'main.js')], { stdio: 'inherit' }), 'node --watch');
});

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
