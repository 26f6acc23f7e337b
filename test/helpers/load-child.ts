import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Replies of test/helpers/load-clients.mjs. */
export interface Opened {
  readonly type: 'opened';
  readonly opened: number;
  readonly failed: number;
  readonly ms: number;
}
export interface Report {
  readonly type: 'report';
  readonly open: number;
  readonly closed: number;
  readonly closeAfterFirstByteMs: number[];
  readonly firstBytes: string[];
}

/** A forked process holding client connections (see load-clients.mjs). */
export class LoadChild {
  readonly #child: ChildProcess;

  constructor() {
    this.#child = fork(fileURLToPath(new URL('./load-clients.mjs', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  }

  #ask<T>(msg: object, type: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: { type?: string }): void => {
        if (m.type !== type) return;
        this.#child.off('message', onMessage);
        this.#child.off('exit', onExit);
        resolve(m as T);
      };
      const onExit = (code: number | null): void => reject(new Error(`load child exited (${code})`));
      this.#child.on('message', onMessage);
      this.#child.once('exit', onExit);
      this.#child.send(msg);
    });
  }

  open(options: {
    mode: 'slow-header' | 'idle-keepalive' | 'silent';
    port: number;
    count: number;
    intervalMs?: number;
    batch?: number;
    together?: boolean;
  }): Promise<Opened> {
    return this.#ask<Opened>({ cmd: 'open', ...options }, 'opened');
  }

  report(): Promise<Report> {
    return this.#ask<Report>({ cmd: 'report' }, 'report');
  }

  /** Destroys all its sockets and exits. */
  async close(): Promise<void> {
    if (this.#child.exitCode !== null || !this.#child.connected) return;
    const exited = new Promise<void>((r) => this.#child.once('exit', () => r()));
    await this.#ask({ cmd: 'close' }, 'closed').catch(() => {});
    await exited;
  }
}
