#!/usr/bin/env node
// Groups the test files by layer (issue 15 item 3): test/<name>.test.ts moves to
// test/<layer>/<name>.test.ts with `git mv`, its relative imports and `new URL(…, import.meta.url)`
// paths gain one `../`, and every mention of `test/<name>.test.ts` in the tracked text files
// (docs, comments, configs) follows it. Shared code stays where it is: test/harness (client,
// parser, server fixture), test/helpers, test/fixtures, test/cpython, test/corpus, test/types.
//
// Idempotent: a file already moved is skipped, so it can be re-run after a rebase. A test file
// left at the top of test/ that the table below does not place is listed and the exit code is 1:
// add it to LAYERS and run again.
//
//   node scripts/group-tests.mjs          # move and rewrite
//   node scripts/group-tests.mjs --check  # only list what would move and what is unplaced
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TEST = path.join(ROOT, 'test');

/** Layer → the test files (names without `.test.ts`) it holds. */
const LAYERS = {
  // src/socketserver: the TCP server, its lifecycle, the socket reader, the accept queue.
  socketserver: ['error-catalogue', 'in-turns', 'lifecycle', 'listen-backlog', 'peer-address', 'socket-reader'],
  // src/http: the HTTP server and handlers (BaseHTTP, SimpleHTTP, routes, HTTPS), its limits and timers.
  http: [
    'canonical-path',
    'cli',
    'connection-edges',
    'date',
    'handler-faults',
    'https-server',
    'keep-alive-pipelining',
    'nagle',
    'overload',
    'request-body',
    'route-example',
    'route-handler',
    'route-paths',
    'route-table',
    'route-types',
    'server-settings',
    'simple-http-browser',
    'simple-http-conditional',
    'simple-http-escapes',
    'simple-http-handler',
    'simple-http-memory',
    'slow-clients',
    'status-line',
    'timeouts',
    'tls-password',
    'trace-context',
    'version',
  ],
  // src/service: the microservice (config, logs, metrics, tracing, workers, shutdown), mostly as a child process.
  service: [
    'cluster-exit-order',
    'cluster-metrics-send',
    'config',
    'custom-handler-example',
    'exemplars',
    'handler-module',
    'log-durability',
    'logging',
    'logging-units',
    'metrics',
    'metrics-handler',
    'otel',
    'prometheus-exemplars',
    'service-app-handler',
    'service-routes',
    'service-startup',
    'service-tls',
    'shutdown',
    'shutdown-state',
    'tracing',
    'workers',
  ],
  // Against outside references: request corpora, CPython byte for byte, fuzzing, real clients.
  conformance: ['corpus', 'cpython-diff', 'fuzz', 'interop', 'parser-properties', 'shared-corpora', 'simple-http-cpython'],
  // The package, container, cluster and tooling around the code.
  deploy: ['dev', 'healthcheck', 'install', 'k8s-manifests', 'layer-rule', 'pid1'],
};

const check = process.argv.includes('--check');
const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' });

/** `'./x'` → `'../x'`, `'../x'` → `'../../x'`: the specifier seen from one folder deeper. */
const deeper = (spec) => (spec.startsWith('./') ? `../${spec.slice(2)}` : `../${spec}`);

/**
 * Rewrites the module-relative paths of a file moved one folder down: static imports and
 * re-exports (lines that start with `import`/`export`, or a multi-line import's `} from`), and
 * `new URL('…', import.meta.url)`. Strings elsewhere (a code snippet in a test, a path relative
 * to the working directory such as HANDLER_MODULE='./test/…') are left alone.
 */
function rewriteSpecifiers(text) {
  return text
    .replace(/^((?:import|export)\b[^\n]*?\bfrom\s+|import\s+|\}\s*from\s+)(['"])(\.{1,2}\/[^'"\n]*)\2/gm, (_m, head, q, spec) => `${head}${q}${deeper(spec)}${q}`)
    .replace(
      /new URL\((['"`])(\.{1,2}(?:\/[^'"`\n]*)?)\1(\s*,\s*import\.meta\.url\))/g,
      (_m, q, spec, tail) => `new URL(${q}${spec === '..' ? '../..' : spec === '.' ? '..' : deeper(spec)}${q}${tail}`,
    );
}

const moves = [];
for (const [layer, names] of Object.entries(LAYERS)) {
  for (const name of names) {
    const from = `test/${name}.test.ts`;
    const to = `test/${layer}/${name}.test.ts`;
    if (existsSync(path.join(ROOT, from))) moves.push({ from, to, layer });
  }
}
const placed = new Set(Object.values(LAYERS).flat());
const unplaced = readdirSync(TEST).filter((f) => f.endsWith('.test.ts') && !placed.has(f.slice(0, -'.test.ts'.length)));

for (const m of moves) console.log(`${check ? 'would move' : 'git mv'} ${m.from} ${m.to}`);
if (!check) {
  for (const m of moves) {
    mkdirSync(path.join(ROOT, 'test', m.layer), { recursive: true });
    git('mv', m.from, m.to);
    const file = path.join(ROOT, m.to);
    writeFileSync(file, rewriteSpecifiers(readFileSync(file, 'utf8')));
  }
  // Mentions of the moved files elsewhere: docs, comments, configs (text files only).
  if (moves.length > 0) {
    const pattern = new RegExp(`(?<![\\w/.-])(${moves.map((m) => m.from.replaceAll('.', '\\.')).join('|')})(?![\\w.-])`, 'g');
    const target = new Map(moves.map((m) => [m.from, m.to]));
    const tracked = git('ls-files', '-z')
      .split('\0')
      .filter((f) => f !== '' && !f.startsWith('test/fixtures/public-corpora/') && !f.startsWith('scripts/group-tests.mjs'));
    for (const f of tracked) {
      const file = path.join(ROOT, f);
      if (!existsSync(file)) continue;
      const buf = readFileSync(file);
      if (buf.includes(0)) continue; // binary
      const text = buf.toString('utf8');
      const next = text.replace(pattern, (p) => target.get(p) ?? p);
      if (next !== text) {
        writeFileSync(file, next);
        console.log(`updated mentions in ${f}`);
      }
    }
  }
}
if (unplaced.length > 0) {
  console.error(`not placed (add to LAYERS in scripts/group-tests.mjs and re-run): ${unplaced.map((f) => `test/${f}`).join(' ')}`);
  process.exitCode = 1;
}
