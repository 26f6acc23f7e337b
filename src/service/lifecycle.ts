/**
 * Signals → graceful shutdown, for the container entry point.
 *
 * First SIGTERM or SIGINT:
 *   1. readiness flips: `/readyz` answers 503 (load balancers stop sending);
 *   2. `READINESS_DELAY_MS` passes (traffic already routed here still arrives and is served);
 *   3. `shutdown()` on every listener: no new connections, idle keep-alive connections close,
 *      busy ones close after their response (which carries `Connection: close`);
 *   4. the logs are flushed, "shutdown complete" is logged, the process exits 0.
 * If `SHUTDOWN_TIMEOUT_MS` (counted from step 3) runs out, the remaining connections are cut,
 * their number is logged and the process exits 1. A second signal at any point exits 1 at once,
 * after logging how many connections it cut.
 */
import type { Logger } from 'pino';
import type { ServiceServer } from './service-server.js';

/** What the lifecycle drives. */
export interface LifecycleOptions {
  readonly servers: readonly ServiceServer[];
  readonly log: Logger;
  /** Writes pending log lines synchronously (called right before exiting). */
  readonly flushLogs: () => void;
  readonly readinessDelayMs: number;
  readonly shutdownTimeoutMs: number;
  /** Exits the process (tests pass a spy). */
  readonly exit?: (code: number) => void;
}

/** How much longer than the shutdown timeout the process waits before it gives up on a drain. */
const WATCHDOG_GRACE_MS = 2_000;

/** Readiness and the shutdown sequence. */
export class Lifecycle {
  #ready = true;
  #stopping = false;
  #finished = false;
  readonly #o: LifecycleOptions;
  readonly #exit: (code: number) => void;
  readonly #onSignal = (signal: NodeJS.Signals): void => this.signal(signal);

  constructor(options: LifecycleOptions) {
    this.#o = options;
    this.#exit = options.exit ?? ((code) => process.exit(code));
  }

  /** True until shutdown begins (what `/readyz` reports). */
  get ready(): boolean {
    return this.#ready;
  }

  /** Wires SIGTERM and SIGINT. */
  install(): void {
    process.on('SIGTERM', this.#onSignal);
    process.on('SIGINT', this.#onSignal);
  }

  /** Removes the signal handlers. */
  uninstall(): void {
    process.off('SIGTERM', this.#onSignal);
    process.off('SIGINT', this.#onSignal);
  }

  /** A signal arrived: begin the shutdown, or, if it had begun, exit 1 now. */
  signal(signal: NodeJS.Signals): void {
    if (this.#stopping) {
      const cut = this.#openConnections();
      this.#o.log.error({ signal, connectionsCut: cut }, `second signal ${signal}: exiting now, ${cut} connection(s) cut`);
      this.#finish(1);
      return;
    }
    this.#stopping = true;
    void this.shutdown(signal);
  }

  /** The shutdown sequence (steps 1–4 above). */
  async shutdown(reason: string): Promise<void> {
    const { servers, log, readinessDelayMs, shutdownTimeoutMs } = this.#o;
    this.#ready = false;
    this.#stopping = true;
    log.info({ signal: reason, readinessDelayMs, shutdownTimeoutMs }, `${reason}: shutdown started, not ready`);
    if (readinessDelayMs > 0) await new Promise((r) => setTimeout(r, readinessDelayMs));
    log.info({ connectionsOpen: this.#openConnections() }, 'draining connections');
    const watchdog = setTimeout(() => {
      const cut = this.#openConnections();
      log.error({ connectionsCut: cut }, `shutdown did not finish within ${shutdownTimeoutMs + WATCHDOG_GRACE_MS} ms: ${cut} connection(s) cut`);
      this.#finish(1);
    }, shutdownTimeoutMs + WATCHDOG_GRACE_MS);
    for (const s of servers) s.shutdownTimeoutMs = shutdownTimeoutMs;
    await Promise.all(servers.map((s) => s.shutdown()));
    clearTimeout(watchdog);
    for (const s of servers) s.serverClose();
    const cut = servers.reduce((n, s) => n + s.connectionsCut, 0);
    if (cut > 0) {
      log.error({ connectionsCut: cut, shutdownTimeoutMs }, `shutdown timed out after ${shutdownTimeoutMs} ms: ${cut} connection(s) cut`);
      this.#finish(1);
      return;
    }
    log.info('shutdown complete');
    this.#finish(0);
  }

  #openConnections(): number {
    return this.#o.servers.reduce((n, s) => n + s.activeConnections, 0);
  }

  #finish(code: number): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#o.flushLogs();
    this.#exit(code);
  }
}
