/**
 * The shutdown state machine, one for both ways the service runs: a single process
 * (`lifecycle.ts`, which drains its listeners) and the cluster primary (`cluster-primary.ts`, which
 * drains its workers). What differs between them is behind `ShutdownSteps`; the states, the
 * timers, the log lines they share and the exit codes are here.
 *
 * ```text
 *   serving ──first signal──▶ notReady ──READINESS_DELAY_MS──▶ draining ──drained──▶ done (exit 0)
 *                                │                                │  ╰─drain failed──▶ done (exit 1)
 *                                │                                ╰─watchdog────────▶ done (exit 1)
 *                                ╰──── second signal (notReady or draining) ─────────▶ done (exit 1)
 * ```
 *
 * - `serving`: `/readyz` 200 (`ready`).
 * - `notReady`: from the first signal; `/readyz` answers 503 and everything else is still served
 *   for `READINESS_DELAY_MS`, while load balancers stop sending here. Logged:
 *   `<signal>: shutdown started, not ready`.
 * - `draining`: `ShutdownSteps.drain()` runs (it logs its own line, as `draining connections`),
 *   bounded by `SHUTDOWN_TIMEOUT_MS` inside the drain and by the watchdog outside it.
 * - `done`: the logs are flushed and the process exits, once: 0 after `shutdown complete`, 1
 *   after a failed drain, the watchdog, or a second signal (`second signal <signal>: exiting
 *   now, <what was cut>`).
 *
 * The grace periods (why the watchdog fires later than `SHUTDOWN_TIMEOUT_MS`, and why the primary's
 * later than a worker's) are `DRAIN_GRACE_MS` and `WORKER_EXIT_GRACE_MS` below; docs/scaling.md
 * ("Shutdown timing budget") adds them up against the orchestrators' kill deadlines.
 */
import type { Logger } from 'pino';
import type { Config } from './config.js';

/**
 * How long after `SHUTDOWN_TIMEOUT_MS` a process gives up on its own drain (exit 1), 2 s.
 *
 * At `SHUTDOWN_TIMEOUT_MS` the servers have already destroyed what was still open (`shutdown()`
 * in src/socketserver); what is left to wait for is those sockets' 'close' events and the serve
 * loops settling, which takes milliseconds. The watchdog is for a drain that hangs anyway (a
 * handler that never settles and holds the serve loop): the process still exits, with code 1,
 * before an orchestrator's SIGKILL, which would lose the logs of the shutdown.
 */
export const DRAIN_GRACE_MS = 2_000;

/**
 * How much longer than a worker's own watchdog the cluster primary waits for its workers, 3 s
 * (so the primary's watchdog fires at `SHUTDOWN_TIMEOUT_MS` + 5 s).
 *
 * A worker drains exactly as a single process does and ends itself at the latest at
 * `SHUTDOWN_TIMEOUT_MS` + `DRAIN_GRACE_MS` after its SIGTERM. Its exit then still has to happen
 * (the logs flushed, the process torn down) and reach the primary as the cluster's 'exit' event.
 * The primary kills (SIGKILL) only the workers that could not end themselves even so: one whose
 * event loop is blocked runs no timer of its own. Were the two grace periods equal, the primary
 * would kill workers that were about to exit with their own account of what they cut.
 */
export const WORKER_EXIT_GRACE_MS = 3_000;

/** The watchdog's grace after `SHUTDOWN_TIMEOUT_MS`: a process's own drain, or (`WORKERS` > 1) the primary's wait for its workers. */
export function watchdogGraceMs(workers: number): number {
  return workers > 1 ? DRAIN_GRACE_MS + WORKER_EXIT_GRACE_MS : DRAIN_GRACE_MS;
}

/**
 * The longest the service takes to exit after the first signal, with this config:
 * `READINESS_DELAY_MS` + `SHUTDOWN_TIMEOUT_MS` + the watchdog's grace. An orchestrator's kill
 * deadline (`terminationGracePeriodSeconds`, `stop_grace_period`) must exceed it, or its SIGKILL
 * lands in a drain.
 */
export function longestShutdownMs(config: Pick<Config, 'READINESS_DELAY_MS' | 'SHUTDOWN_TIMEOUT_MS' | 'WORKERS'>): number {
  return config.READINESS_DELAY_MS + config.SHUTDOWN_TIMEOUT_MS + watchdogGraceMs(config.WORKERS);
}

/** The states (see the module comment). */
export type ShutdownState = 'serving' | 'notReady' | 'draining' | 'done';

/** What was still open when the shutdown ended it: its log fields and a phrase for the message. */
export interface Cut {
  /** Added to the error record (`connectionsCut: 3`, `workersKilled: [pids]`). */
  readonly fields: Record<string, unknown>;
  /** Ends the message: `3 connection(s) cut`, `2 worker(s) killed`. */
  readonly text: string;
}

/** A drain that finished but not cleanly: the error record to log before exiting 1. */
export interface DrainFailure {
  readonly fields: Record<string, unknown>;
  readonly msg: string;
}

/** What a mode does at each step; the state machine calls each at most once. */
export interface ShutdownSteps {
  /** The first signal arrived (before it is logged): stop what must not start any more (restarts). */
  stopping?(): void;
  /** Fields added to the `shutdown started` record (the primary: its workers' pids). */
  startedFields?(): Record<string, unknown>;
  /**
   * Drains (after the readiness delay): logs its own line in the turn it begins, then resolves
   * with null when everything ended cleanly, or with the failure to log.
   */
  drain(): Promise<DrainFailure | null>;
  /** Ends everything still open now (a second signal, the watchdog), saying what it ended. */
  cut(): Cut;
}

/** Timers, injectable so that tests drive the sequence with a fake clock. */
export interface ShutdownTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: ShutdownTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** The state machine's settings and the mode's steps. */
export interface ShutdownOptions {
  readonly steps: ShutdownSteps;
  readonly log: Logger;
  /** Writes pending log lines synchronously (called right before exiting). */
  readonly flushLogs: () => void;
  /** `READINESS_DELAY_MS` (0 in a cluster worker: its primary has waited it already). */
  readonly readinessDelayMs: number;
  /** `SHUTDOWN_TIMEOUT_MS`: how long the drain lets open connections finish. */
  readonly shutdownTimeoutMs: number;
  /** The watchdog fires this long after `shutdownTimeoutMs`: `DRAIN_GRACE_MS`, or, in the primary, that plus `WORKER_EXIT_GRACE_MS`. */
  readonly watchdogGraceMs: number;
  /** Exits the process (tests pass a spy). Default `process.exit`. */
  readonly exit?: (code: number) => void;
  /** Default: node's timers. */
  readonly timers?: ShutdownTimers;
}

/**
 * The shutdown sequence of one process. For callers: `ready`, `state`, `install()`,
 * `uninstall()`, `signal()`, `shutdown()`. Nothing to override: a mode supplies `ShutdownSteps`
 * (`Lifecycle` is this class with the listeners' steps; the cluster primary builds one with its
 * workers').
 */
export class Shutdown {
  #state: ShutdownState = 'serving';
  #sequence: Promise<void> | null = null;
  readonly #o: ShutdownOptions;
  readonly #exit: (code: number) => void;
  readonly #timers: ShutdownTimers;
  readonly #onSignal = (signal: NodeJS.Signals): void => this.signal(signal);

  constructor(options: ShutdownOptions) {
    this.#o = options;
    this.#exit = options.exit ?? ((code) => process.exit(code));
    this.#timers = options.timers ?? realTimers;
  }

  /** Where the sequence is. */
  get state(): ShutdownState {
    return this.#state;
  }

  /** True until the first signal (what `/readyz` reports, with the mode's own conditions). */
  get ready(): boolean {
    return this.#state === 'serving';
  }

  /** Wires SIGTERM and SIGINT to `signal()`. */
  install(): void {
    process.on('SIGTERM', this.#onSignal);
    process.on('SIGINT', this.#onSignal);
  }

  /** Removes the signal handlers. */
  uninstall(): void {
    process.off('SIGTERM', this.#onSignal);
    process.off('SIGINT', this.#onSignal);
  }

  /** A signal arrived: the first begins the shutdown; one after it ends everything and exits 1. */
  signal(signal: NodeJS.Signals): void {
    if (this.#state === 'serving') {
      void this.shutdown(signal);
      return;
    }
    if (this.#state === 'done') return;
    const cut = this.#o.steps.cut();
    this.#o.log.error({ signal, ...cut.fields }, `second signal ${signal}: exiting now, ${cut.text}`);
    this.#finish(1);
  }

  /**
   * Begins the shutdown (`reason`: the signal's name, or what the caller says) and resolves when
   * the sequence has ended (the exit called). Idempotent: every call returns the same promise.
   */
  shutdown(reason: string): Promise<void> {
    if (this.#sequence === null) this.#sequence = this.#run(reason);
    return this.#sequence;
  }

  async #run(reason: string): Promise<void> {
    const { steps, log, readinessDelayMs, shutdownTimeoutMs, watchdogGraceMs } = this.#o;
    this.#state = 'notReady';
    steps.stopping?.();
    log.info({ signal: reason, readinessDelayMs, shutdownTimeoutMs, ...steps.startedFields?.() }, `${reason}: shutdown started, not ready`);
    // No timer when there is no delay: the drain then begins in the signal's own turn.
    if (readinessDelayMs > 0) await new Promise<void>((resolve) => this.#timers.setTimeout(resolve, readinessDelayMs));
    if (this.#state !== 'notReady') return; // a second signal ended it meanwhile
    this.#state = 'draining';
    const limitMs = shutdownTimeoutMs + watchdogGraceMs;
    const watchdog = this.#timers.setTimeout(() => {
      if (this.#state !== 'draining') return;
      const cut = steps.cut();
      log.error(cut.fields, `shutdown did not finish within ${limitMs} ms: ${cut.text}`);
      this.#finish(1);
    }, limitMs);
    let failure: DrainFailure | null;
    try {
      failure = await steps.drain();
    } catch (err) {
      failure = { fields: { err }, msg: 'shutdown failed' };
    }
    this.#timers.clearTimeout(watchdog);
    if (this.#state !== 'draining') return; // the watchdog or a second signal came first
    if (failure !== null) {
      log.error(failure.fields, failure.msg);
      this.#finish(1);
      return;
    }
    log.info('shutdown complete');
    this.#finish(0);
  }

  #finish(code: number): void {
    if (this.#state === 'done') return;
    this.#state = 'done';
    this.#o.flushLogs();
    this.#exit(code);
  }
}
