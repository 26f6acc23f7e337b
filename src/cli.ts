#!/usr/bin/env node
/**
 * The `basehttp` command (package.json `bin`): CPython 3.14's `python -m http.server`, serving a
 * folder with `SimpleHTTPRequestHandler`.
 *
 *   basehttp [-h] [-b ADDRESS] [-d DIRECTORY] [-p VERSION] [--tls-cert PATH] [--tls-key PATH]
 *            [--tls-password-file PATH] [port]
 *
 * Options and defaults as CPython's: port 8000, all interfaces, the working directory,
 * HTTP/1.0. Prints `Serving HTTP on <host> port <port> (http://…/) ...` once listening; logs a
 * line per request on stderr. SIGINT (Ctrl-C) or SIGTERM drains the connections and exits 0.
 * A bad option prints the usage and exits 2 (argparse's convention); a port that cannot be
 * bound exits 1. Beyond CPython: `-p` takes HTTP/1.0 or HTTP/1.1 only, `-d` must be a folder,
 * and the TLS files are checked before anything listens.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { HTTPServer } from './http/http-server.js';
import { HTTPSServer } from './http/https-server.js';
import { SimpleHTTPRequestHandler } from './http/simple-request-handler.js';
import { test } from './http/test-server.js';
import { loadSecureContext } from './http/tls-listener.js';

const PROG = 'basehttp';
const USAGE = `usage: ${PROG} [-h] [-b ADDRESS] [-d DIRECTORY] [-p VERSION] [--tls-cert PATH]
                [--tls-key PATH] [--tls-password-file PATH]
                [port]
`;
const HELP = `${USAGE}
Serve a folder over HTTP (or HTTPS), as \`python -m http.server\` does.

positional arguments:
  port                  bind to this port (default: 8000)

options:
  -h, --help            show this help message and exit
  -b, --bind ADDRESS    bind to this address (default: all interfaces)
  -d, --directory DIRECTORY
                        serve this directory (default: current directory)
  -p, --protocol VERSION
                        conform to this HTTP version: HTTP/1.0 or HTTP/1.1
                        (default: HTTP/1.0)
  --tls-cert PATH       path to the TLS certificate chain file
  --tls-key PATH        path to the TLS key file
  --tls-password-file PATH
                        path to the password file for the TLS key
`;

/** Exit status for bad options (argparse's). */
const USAGE_EXIT = 2;

/** Prints the usage and the problem, as argparse's `parser.error()`, and exits 2. */
function usageError(message: string): never {
  process.stderr.write(`${USAGE}${PROG}: error: ${message}\n`);
  process.exit(USAGE_EXIT);
}

/** The settings of one run. */
interface Settings {
  port: number;
  bind: string;
  directory: string;
  protocol: string;
  tlsCert: string | null;
  tlsKey: string | null;
  tlsPassword: string | null;
}

function parse(argv: string[]): Settings {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (e) {
    const err = e as Error & { code?: string };
    const option = /'([^']+)'/.exec(err.message)?.[1];
    usageError(err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined ? `unrecognized arguments: ${option}` : err.message);
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  if (positionals.length > 1) usageError(`unrecognized arguments: ${positionals.slice(1).join(' ')}`);
  let port = 8000;
  if (positionals.length === 1) {
    const text = positionals[0]!;
    if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535) usageError(`argument port: invalid port: '${text}' (expected 0 to 65535)`);
    port = Number(text);
  }
  const protocol = values.protocol ?? 'HTTP/1.0';
  if (protocol !== 'HTTP/1.0' && protocol !== 'HTTP/1.1') {
    usageError(`argument -p/--protocol: invalid version: '${protocol}' (expected HTTP/1.0 or HTTP/1.1)`);
  }
  const directory = path.resolve(values.directory ?? process.cwd());
  let isFolder = false;
  try {
    isFolder = statSync(directory).isDirectory();
  } catch {
    // reported below
  }
  if (!isFolder) usageError(`argument -d/--directory: not a directory: '${values.directory ?? directory}'`);
  const tlsCert = values['tls-cert'] ?? null;
  const tlsKey = values['tls-key'] ?? null;
  if (tlsCert === null && tlsKey !== null) usageError('--tls-key requires --tls-cert to be set');
  let tlsPassword: string | null = null;
  const passwordFile = values['tls-password-file'];
  if (passwordFile !== undefined) {
    if (tlsCert === null) usageError('--tls-password-file requires --tls-cert to be set');
    try {
      tlsPassword = readFileSync(passwordFile, 'utf8').trim();
    } catch (e) {
      usageError(`Failed to read TLS password file: ${(e as Error).message}`);
    }
  }
  if (tlsCert !== null) {
    // Checked now, so that a bad file is a usage error before anything listens.
    try {
      loadSecureContext({ certfile: tlsCert, keyfile: tlsKey, password: tlsPassword });
    } catch (e) {
      const err = e as Error & { code?: string };
      const option =
        err.code === 'ERR_TLS_PASSWORD'
          ? passwordFile === undefined
            ? '--tls-key'
            : '--tls-password-file'
          : err.code === 'ERR_TLS_KEY' && tlsKey !== null
            ? '--tls-key'
            : '--tls-cert';
      usageError(`argument ${option}: ${err.message}`);
    }
  }
  return { port, bind: values.bind ?? '', directory, protocol, tlsCert, tlsKey, tlsPassword };
}

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      bind: { type: 'string', short: 'b' },
      directory: { type: 'string', short: 'd' },
      protocol: { type: 'string', short: 'p' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-password-file': { type: 'string' },
    },
  });
}

async function main(): Promise<void> {
  const settings = parse(process.argv.slice(2));
  const { directory } = settings;
  class Handler extends SimpleHTTPRequestHandler {
    override directory = directory;
  }
  try {
    await test(
      Handler,
      settings.tlsCert === null ? HTTPServer : HTTPSServer,
      settings.protocol,
      settings.port,
      settings.bind,
      settings.tlsCert,
      settings.tlsKey,
      settings.tlsPassword,
    );
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    process.stderr.write(`${PROG}: cannot listen on ${settings.bind === '' ? 'all interfaces' : settings.bind} port ${settings.port}: ${err.code ?? err.message}\n`);
    process.exit(1);
  }
  process.exit(0);
}

void main();
