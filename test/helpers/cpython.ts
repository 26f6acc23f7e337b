/**
 * Helpers for comparing this server with CPython's: locating an interpreter, running the
 * fixture server (test/cpython/server.py) or `python -m http.server`, normalising responses and
 * log lines. The exchanges themselves go through test/harness/client.ts (`exchangeUntilQuiet`).
 */
import { spawn, spawnSync, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Readable } from 'node:stream';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** How to run one CPython version. */
export interface PythonInterpreter {
  readonly command: string;
  readonly env: Readonly<Record<string, string>>;
  /** `sys.version.split()[0]`, e.g. `3.13.0`. */
  readonly version: string;
}

/** Either an interpreter or the reason none was found (for the skip message). */
export type PythonLookup = { readonly found: true; readonly python: PythonInterpreter } | { readonly found: false; readonly reason: string };

export const FIXTURE_SERVER = fileURLToPath(new URL('../cpython/server.py', import.meta.url));

/**
 * Finds a working CPython `major.minor` ('3.13', '2.7'). Tries, in order: the environment
 * variable `CPYTHON_<major>_<minor>` (a path), pyenv's `versions/<major.minor>.*` directories
 * under `$PYENV_ROOT` or `~/.pyenv` (and /root/.pyenv), `PYENV_VERSION=<v> python<major.minor>`
 * through the pyenv shim, then `python<major.minor>` on PATH. Each candidate must run and report
 * the wanted version (the bare pyenv shim fails without PYENV_VERSION, so it is only used with it).
 * `CPYTHON_NONE=1` pretends no CPython is installed (to exercise the recorded-data fallback).
 */
export function findPython(wanted: string): PythonLookup {
  if (process.env.CPYTHON_NONE === '1') return { found: false, reason: `CPython ${wanted} not used (CPYTHON_NONE=1)` };
  const exe = `python${wanted}`;
  const candidates: Array<{ command: string; env: Record<string, string> }> = [];
  const fromEnv = process.env[`CPYTHON_${wanted.replace('.', '_')}`];
  if (fromEnv) candidates.push({ command: fromEnv, env: {} });
  const roots = new Set([process.env.PYENV_ROOT, path.join(homedir(), '.pyenv'), '/root/.pyenv']);
  const pyenvVersions: string[] = [];
  for (const root of roots) {
    if (!root) continue;
    const dir = path.join(root, 'versions');
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names
      .filter((n) => n === wanted || n.startsWith(`${wanted}.`))
      .sort()
      .reverse()) {
      pyenvVersions.push(name);
      const command = path.join(dir, name, 'bin', exe);
      if (existsSync(command)) candidates.push({ command, env: {} });
    }
  }
  for (const version of pyenvVersions) candidates.push({ command: exe, env: { PYENV_VERSION: version } });
  candidates.push({ command: exe, env: {} });

  const tried: string[] = [];
  for (const candidate of candidates) {
    const probe = spawnSync(candidate.command, ['-c', 'import sys; print(sys.version.split()[0])'], {
      env: { ...process.env, ...candidate.env },
      encoding: 'utf8',
      timeout: 10_000,
    });
    const version = probe.status === 0 ? probe.stdout.trim() : '';
    if (version === wanted || version.startsWith(`${wanted}.`)) {
      return { found: true, python: { command: candidate.command, env: candidate.env, version } };
    }
    const envText = Object.entries(candidate.env)
      .map(([k, v]) => `${k}=${v} `)
      .join('');
    tried.push(`${envText}${candidate.command} (${probe.error?.message ?? (version || `exit ${probe.status}`)})`);
  }
  return { found: false, reason: `CPython ${wanted} not found; tried: ${tried.join('; ')}` };
}

/** A running test/cpython/server.py: one port per protocol_version. */
export interface PythonFixture {
  readonly version: string;
  readonly ports: Readonly<Record<'1.0' | '1.1', number>>;
  /** Everything the server wrote to stderr so far (its log lines), UTF-8. */
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts the fixture server under `python`; resolves once it printed its ports. */
export async function startPythonFixture(python: PythonInterpreter, timeoutMs = 15_000): Promise<PythonFixture> {
  const child: ChildProcessWithoutNullStreams = spawn(python.command, ['-u', FIXTURE_SERVER], {
    env: { ...process.env, ...python.env, PYTHONIOENCODING: 'utf-8' },
    stdio: 'pipe',
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr += text;
  });
  const line = await firstStdoutLine(child, 'fixture server', timeoutMs, () => stderr);
  let info: { python: string; ports: Record<'1.0' | '1.1', number> };
  try {
    info = JSON.parse(line);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    version: info.python,
    ports: info.ports,
    stderr: () => stderr,
    stop: () => stopChild(child, () => child.stdin.end()),
  };
}

/**
 * The child's first line on stdout. If it exits, fails to start or stays silent `timeoutMs`
 * first, it is killed and the promise rejects with its stderr.
 */
function firstStdoutLine(child: ChildProcess & { stdout: Readable }, what: string, timeoutMs: number, stderr: () => string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => fail(new Error(`${what} did not start in ${timeoutMs} ms`)), timeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\nstderr:\n${stderr()}`));
    };
    child.on('error', fail);
    child.on('exit', (code) => fail(new Error(`${what} exited with ${code}`)));
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve(stdout.slice(0, newline));
    });
  });
}

/** Asks the child to stop (`ask`), kills it after 3 s; resolves once it exited. */
function stopChild(child: ChildProcess, ask: () => void): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    ask();
  });
}

/** Runs `python -c code`-style scripts: `args` after the interpreter; resolves with stdout. */
export function runPython(python: PythonInterpreter, args: readonly string[], timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python.command, args, {
      env: { ...process.env, ...python.env, PYTHONIOENCODING: 'utf-8' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The response bytes as a latin-1 string with the values of the `Date` and `Server` headers
 * replaced by `<date>` and `<server>` (the only fields allowed to differ between servers).
 */
export function normaliseResponse(bytes: Buffer): string {
  return bytes
    .toString('latin1')
    .replace(/(^|\r\n)Date: [^\r\n]*/g, '$1Date: <date>')
    .replace(/(^|\r\n)Server: [^\r\n]*/g, '$1Server: <server>');
}

/** A request written as a latin-1 string (each char one byte: `\x85` is the byte 0x85). */
export function latin1(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/** Python's log line prefix date `[28/Nov/2026 10:00:00]` replaced by `[<date>]`. */
export function normaliseLogLine(line: string): string {
  return line.replace(/ - - \[\d{2}\/[A-Z][a-z]{2}\/\d{4} \d{2}:\d{2}:\d{2}\] /, ' - - [<date>] ');
}

/** A running `python -m http.server`. */
export interface PythonHttpServer {
  readonly port: number;
  /** Its first stdout line, `Serving HTTP on … port … (…) ...`. */
  readonly banner: string;
  stop(): Promise<void>;
}

/**
 * Runs `python -m http.server 0 -b 127.0.0.1 …args` (CPython's command; `args` such as
 * `-d DIR`, `-p HTTP/1.1`) and resolves once it printed the port it listens on.
 */
export async function startPythonHttpServer(python: PythonInterpreter, args: readonly string[], timeoutMs = 15_000): Promise<PythonHttpServer> {
  const child = spawn(python.command, ['-u', '-m', 'http.server', '0', '-b', '127.0.0.1', ...args], {
    env: { ...process.env, ...python.env, PYTHONIOENCODING: 'utf-8' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const banner = await firstStdoutLine(child, 'http.server', timeoutMs, () => stderr);
  const port = Number(/ port (\d+) /.exec(banner)?.[1]);
  return {
    port,
    banner,
    // SIGTERM: a child started from a non-interactive shell may inherit SIGINT ignored.
    stop: () => stopChild(child, () => child.kill('SIGTERM')),
  };
}
