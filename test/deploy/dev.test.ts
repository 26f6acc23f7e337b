import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { tryConnect } from '../harness/client.js';

// `npm run dev` (scripts/dev.mjs): tsc --watch, then Node's watch mode on dist/main.js, restarting
// the service when dist/ or an outside HANDLER_MODULE file changes. Each test runs the real script
// in its own process group, waits for log lines (never for a fixed time), and kills the group.

const root = fileURLToPath(new URL('../..', import.meta.url));
const DEADLINE_MS = 90_000;

/** `npm run dev` in its own process group, its stdout read line by line. */
class DevRun {
  readonly proc: ChildProcess;
  readonly lines: string[] = [];
  readonly closed: Promise<void>;
  #waiters: Array<() => void> = [];

  constructor(env: Record<string, string>) {
    this.proc = spawn('npm', ['run', '--silent', 'dev'], {
      cwd: root,
      detached: true,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir(), HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let rest = '';
    this.proc.stdout!.setEncoding('utf8');
    this.proc.stdout!.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop()!;
      this.lines.push(...parts);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.proc.stderr!.setEncoding('utf8');
    this.proc.stderr!.on('data', (chunk: string) => this.lines.push(`stderr: ${chunk}`));
    // 'close': every process that inherited the pipes (npm, dev.mjs, tsc, node --watch, the service) has exited.
    this.closed = new Promise((resolve) => this.proc.once('close', () => resolve()));
  }

  /** The service's startup records so far. */
  startups(): Array<{ pid: number; app: string; handler: string }> {
    return this.lines.filter((l) => l.includes('"msg":"listening on')).map((l) => JSON.parse(l) as { pid: number; app: string; handler: string });
  }

  /** Resolves once `count` startup lines have been printed; fails at the deadline or if the group ends. */
  async started(count: number): Promise<{ pid: number; app: string; handler: string }> {
    const deadline = Date.now() + DEADLINE_MS;
    while (this.startups().length < count) {
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) throw new Error(`npm run dev ended before startup ${count}:\n${this.lines.join('\n')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no startup line ${count} within ${DEADLINE_MS} ms:\n${this.lines.join('\n')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        const onExit = (): void => resolve();
        this.proc.once('exit', onExit);
        this.#waiters.push(() => {
          clearTimeout(timer);
          this.proc.off('exit', onExit);
          resolve();
        });
      });
    }
    return this.startups()[count - 1]!;
  }

  /** SIGTERM to the whole group; resolves when every process in it has let go of the pipes. */
  async stop(): Promise<void> {
    try {
      process.kill(-this.proc.pid!, 'SIGTERM');
    } catch {
      // the group has already ended
    }
    await this.closed;
  }
}

/** True when nothing accepts on `url`'s port any more. */
function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return tryConnect(Number(port), hostname).then((outcome) => outcome === 'ECONNREFUSED');
}

let run: DevRun | null = null;
let tmp: string | null = null;

afterEach(async () => {
  await run?.stop();
  run = null;
  if (tmp !== null) rmSync(tmp, { recursive: true, force: true });
  tmp = null;
});

describe('npm run dev', () => {
  test('restarts the service when tsc writes dist/, and stops with its process group', async () => {
    run = new DevRun({});
    const first = await run.started(1);
    expect(first.handler).toBe('AppHandler');
    // What tsc --watch does on a save: rewrite a file under dist/.
    const now = new Date();
    utimesSync(join(root, 'dist/main.js'), now, now);
    const second = await run.started(2);
    expect(second.pid).not.toBe(first.pid);
    await run.stop();
    expect(await refused(second.app)).toBe(true);
  }, 240_000);

  test('honours HANDLER_MODULE outside dist/: serves it and restarts when it changes', async () => {
    tmp = mkdtempSync(join(tmpdir(), 'basehttp-dev-'));
    const handler = join(tmp, 'handler.mjs');
    const write = (name: string): void =>
      writeFileSync(
        handler,
        `import { BaseHTTPRequestHandler } from '${pathToFileURL(join(root, 'dist/index.js')).href}';\nexport default class ${name} extends BaseHTTPRequestHandler {}\n`,
      );
    write('FirstHandler');
    run = new DevRun({ HANDLER_MODULE: handler });
    expect((await run.started(1)).handler).toBe('FirstHandler');
    write('SecondHandler');
    expect((await run.started(2)).handler).toBe('SecondHandler');
  }, 240_000);
});
