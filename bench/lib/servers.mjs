// The servers of issues 5, 11 and 16, in table order. Each `command(ctx)` returns what to spawn
// (pinned to core 0 by the harness); `available()` says why a row cannot run on this checkout, or
// null; `scenarios` limits the scenarios it runs, `endpoints` the standard endpoints it serves
// (checked before the rounds; default all three).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nginxCommand } from '../servers/nginx.mjs';
import { KEEP_ALIVE_TIMEOUT_MS, MAX_BODY_BYTES } from '../servers/payloads.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVERS_DIR = path.join(ROOT, 'bench/servers');
export const SERVER_CORE = 0;

const PYTHON_CANDIDATES = ['/root/.pyenv/versions/3.13.0/bin/python3.13', '/usr/bin/python3.13', '/usr/local/bin/python3.13'];
const python = () => PYTHON_CANDIDATES.find((p) => fs.existsSync(p)) ?? null;
const built = (file) => (fs.existsSync(path.join(ROOT, 'dist', file)) ? null : `dist/${file} does not exist`);
const node = (file) => ['node', path.join('bench/servers', file)];

export const SERVERS = [
  {
    id: 'basehttp',
    label: 'basehttp',
    available: () => built('index.js'),
    command: ({ port }) => ({ argv: node('basehttp.mjs'), env: { PORT: String(port) }, text: 'PORT=$PORT node bench/servers/basehttp.mjs' }),
  },
  {
    id: 'service',
    label: 'basehttp full service (access log + metrics)',
    available: () => built('main.js') ?? built('index.js'),
    // The service itself (dist/main.js) serving the same handler class as the basehttp row
    // through HANDLER_MODULE; access log on, pino lines to a file (deleted after each run, its
    // line count kept), metrics listener up on METRICS_PORT.
    command: ({ port, metricsPort, logFile }) => ({
      argv: ['node', 'dist/main.js'],
      env: {
        HOST: '127.0.0.1',
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        HANDLER_MODULE: path.join(SERVERS_DIR, 'hello-handler.mjs'),
        ACCESS_LOG: 'true',
        KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
        MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      },
      stdoutFile: logFile,
      text:
        'HOST=127.0.0.1 PORT=$PORT METRICS_PORT=$METRICS_PORT HANDLER_MODULE=$PWD/bench/servers/hello-handler.mjs ' +
        `ACCESS_LOG=true KEEP_ALIVE_TIMEOUT_MS=${KEEP_ALIVE_TIMEOUT_MS} MAX_BODY_BYTES=${MAX_BODY_BYTES} node dist/main.js > access.log`,
    }),
  },
  {
    id: 'routes',
    label: 'basehttp RouteHandler',
    // Issue 11's route scenarios, against fastify's same routes.
    scenarios: ['route', 'route-post'],
    endpoints: ['hello'],
    available: () => built('index.js'),
    command: ({ port }) => ({ argv: node('routes.mjs'), env: { PORT: String(port) }, text: 'PORT=$PORT node bench/servers/routes.mjs' }),
  },
  {
    id: 'node-http',
    label: 'node:http',
    available: () => null,
    command: ({ port }) => ({ argv: node('node-http.mjs'), env: { PORT: String(port) }, text: 'PORT=$PORT node bench/servers/node-http.mjs' }),
  },
  {
    id: 'fastify',
    label: 'fastify 5 (logger off)',
    available: () => (fs.existsSync(path.join(ROOT, 'node_modules/fastify/package.json')) ? null : 'fastify is not installed'),
    command: ({ port }) => ({ argv: node('fastify.mjs'), env: { PORT: String(port) }, text: 'PORT=$PORT node bench/servers/fastify.mjs' }),
  },
  {
    id: 'sketch',
    label: 'node:net parse sketch',
    // Issue 16: the ceiling with a minimal correct parse; basehttp's keep-alive and pipelined
    // targets are ratios to it.
    available: () => null,
    command: ({ port }) => ({ argv: node('sketch.mjs'), env: { PORT: String(port) }, text: 'PORT=$PORT node bench/servers/sketch.mjs' }),
  },
  {
    id: 'raw',
    label: 'raw node:net (no parsing)',
    available: () => null,
    command: ({ port }) => ({ argv: node('raw.mjs'), env: { PORT: String(port) }, text: 'PORT=$PORT node bench/servers/raw.mjs' }),
  },
  {
    id: 'nginx',
    label: 'nginx (1 worker)',
    available: () => null,
    command: ({ port, tmpDir }) => ({
      argv: nginxCommand(path.join(tmpDir, 'nginx'), port),
      env: {},
      text: 'nginx -p $TMP -e $TMP/error.log -c $TMP/nginx.conf   # config written by bench/servers/nginx.mjs',
    }),
  },
  {
    id: 'python',
    label: 'Python 3.13 http.server',
    // "once, for the record": the hello keep-alive scenario only.
    scenarios: ['hello'],
    available: () => (python() ? null : `python3.13 not found (${PYTHON_CANDIDATES.join(', ')})`),
    command: ({ port }) => ({
      argv: [python(), path.join('bench/servers', 'python_hello.py'), String(port)],
      env: {},
      text: 'python3.13 bench/servers/python_hello.py $PORT',
    }),
  },
];

/** The baseline of every ratio. */
export const BASELINE = 'node-http';
