/**
 * Headless Chromium driven over the DevTools protocol through a pipe (`--remote-debugging-pipe`:
 * JSON messages ended by NUL on the child's fds 3 and 4, as Puppeteer does it), so a test can
 * open a page, evaluate script in it and follow its links as the browser does. No library: a
 * page at a time, the few commands the tests need.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** The Chromium command: `$CHROMIUM`, else `chromium` or `chromium-browser` on PATH; null if none runs. */
export function findChromium(): string | null {
  const candidates = [process.env.CHROMIUM, 'chromium', 'chromium-browser'].filter((c): c is string => c !== undefined && c !== '');
  for (const c of candidates) {
    if (spawnSync(c, ['--version'], { stdio: 'ignore', timeout: 20_000 }).status === 0) return c;
  }
  return null;
}

interface Pending {
  resolve(result: Record<string, unknown>): void;
  reject(error: Error): void;
}

/** A headless browser with one page. */
export class Browser {
  readonly #child: ChildProcess;
  readonly #profile: string;
  readonly #input: Writable;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #listeners: Array<(method: string, params: Record<string, unknown>, sessionId?: string) => void> = [];
  #session = '';
  #stderr = '';

  private constructor(command: string) {
    this.#profile = mkdtempSync(path.join(tmpdir(), 'basehttp-chromium-'));
    this.#child = spawn(
      command,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--no-default-browser-check',
        `--user-data-dir=${this.#profile}`,
        '--remote-debugging-pipe',
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
    );
    this.#child.stderr!.setEncoding('utf8').on('data', (t: string) => (this.#stderr = (this.#stderr + t).slice(-4000)));
    this.#input = this.#child.stdio[3] as Writable;
    const output = this.#child.stdio[4] as Readable;
    let buffered = '';
    output.setEncoding('utf8').on('data', (text: string) => {
      buffered += text;
      let end: number;
      while ((end = buffered.indexOf('\0')) >= 0) {
        const message = JSON.parse(buffered.slice(0, end)) as {
          id?: number;
          result?: Record<string, unknown>;
          error?: { message: string };
          method?: string;
          params?: Record<string, unknown>;
          sessionId?: string;
        };
        buffered = buffered.slice(end + 1);
        if (message.id !== undefined) {
          const p = this.#pending.get(message.id);
          this.#pending.delete(message.id);
          if (message.error !== undefined) p?.reject(new Error(`DevTools: ${message.error.message}`));
          else p?.resolve(message.result ?? {});
        } else if (message.method !== undefined) {
          for (const l of this.#listeners) l(message.method, message.params ?? {}, message.sessionId);
        }
      }
    });
    this.#child.once('exit', () => {
      for (const p of this.#pending.values()) p.reject(new Error(`chromium exited; stderr: ${this.#stderr}`));
      this.#pending.clear();
    });
  }

  /** Starts the browser and opens a blank page. */
  static async launch(command: string): Promise<Browser> {
    const browser = new Browser(command);
    const { targetId } = (await browser.#send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    const { sessionId } = (await browser.#send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    browser.#session = sessionId;
    await browser.#send('Page.enable', {}, sessionId);
    return browser;
  }

  #send(method: string, params: Record<string, unknown>, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#input.write(`${JSON.stringify({ id, method, params, ...(sessionId === undefined ? {} : { sessionId }) })}\0`);
    });
  }

  /** Resolves at the page's next `load` event (or rejects after `timeoutMs`). */
  #nextLoad(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#listeners = this.#listeners.filter((l) => l !== listener);
        reject(new Error(`no load event within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (method: string, _params: unknown, sessionId?: string): void => {
        if (method !== 'Page.loadEventFired' || sessionId !== this.#session) return;
        clearTimeout(timer);
        this.#listeners = this.#listeners.filter((l) => l !== listener);
        resolve();
      };
      this.#listeners.push(listener);
    });
  }

  /** Opens `url` and waits for it to load. */
  async goto(url: string, timeoutMs = 20_000): Promise<void> {
    const loaded = this.#nextLoad(timeoutMs);
    const r = (await this.#send('Page.navigate', { url }, this.#session)) as { errorText?: string };
    if (r.errorText !== undefined) throw new Error(`navigation to ${url} failed: ${r.errorText}`);
    await loaded;
  }

  /** Evaluates `expression` in the page (awaiting a Promise) and returns its value as JSON. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.#send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, this.#session)) as {
      result: { value?: T };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    };
    if (r.exceptionDetails !== undefined) throw new Error(`page script failed: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  /** Evaluates `expression` (which should make the page navigate, e.g. a click) and waits for the new page's load. */
  async navigateBy(expression: string, timeoutMs = 20_000): Promise<void> {
    const loaded = this.#nextLoad(timeoutMs);
    await this.evaluate(expression);
    await loaded;
  }

  /** Closes the browser and removes its profile. */
  async close(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      const exited = new Promise((r) => this.#child.once('exit', r));
      this.#send('Browser.close', {}).catch(() => {});
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.#profile, { recursive: true, force: true });
  }
}
