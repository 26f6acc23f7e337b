/**
 * Signals → graceful shutdown of one process's listeners (a single-process service, or a cluster
 * worker): the state machine of `shutdown.ts` with the listeners' drain.
 *
 * First SIGTERM or SIGINT:
 *   1. readiness flips: `/readyz` answers 503 (load balancers stop sending);
 *   2. `READINESS_DELAY_MS` passes (traffic already routed here still arrives and is served);
 *   3. `shutdown()` on every listener at once: no new connections, idle keep-alive connections
 *      close, busy ones close after their response (which carries `Connection: close`);
 *   4. the logs are flushed, "shutdown complete" is logged, the process exits 0.
 * If `SHUTDOWN_TIMEOUT_MS` (counted from step 3) runs out, the remaining connections are cut,
 * their number is logged and the process exits 1; if even that does not end the drain, the
 * watchdog exits 1 `DRAIN_GRACE_MS` later. A second signal at any point exits 1 at once, after
 * logging how many connections it cut.
 *
 * Both listeners drain together, so one `SHUTDOWN_TIMEOUT_MS` bounds the whole drain. (The cluster
 * primary, which has no app connections, closes its metrics listener after its workers exited.)
 */
import type { Logger } from 'pino';
import type { ServiceServer } from './service-server.js';
import { DRAIN_GRACE_MS, type Cut, type DrainFailure, Shutdown, type ShutdownSteps, type ShutdownTimers } from './shutdown.js';

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
  /** Default: node's timers. */
  readonly timers?: ShutdownTimers;
}

/** The listeners' side of the shutdown: drain them all, count what had to be cut. */
function serverSteps(servers: readonly ServiceServer[], log: Logger, shutdownTimeoutMs: number): ShutdownSteps {
  const open = (): number => servers.reduce((n, s) => n + s.activeConnections, 0);
  return {
    async drain(): Promise<DrainFailure | null> {
      log.info({ connectionsOpen: open() }, 'draining connections');
      for (const s of servers) s.shutdownTimeoutMs = shutdownTimeoutMs;
      await Promise.all(servers.map((s) => s.shutdown()));
      for (const s of servers) s.serverClose();
      const cut = servers.reduce((n, s) => n + s.connectionsCut, 0);
      if (cut === 0) return null;
      return { fields: { connectionsCut: cut, shutdownTimeoutMs }, msg: `shutdown timed out after ${shutdownTimeoutMs} ms: ${cut} connection(s) cut` };
    },
    // The process exits right after: the connections still open end with it.
    cut(): Cut {
      const n = open();
      return { fields: { connectionsCut: n }, text: `${n} connection(s) cut` };
    },
  };
}

/** Readiness and the shutdown sequence of a process's listeners. */
export class Lifecycle extends Shutdown {
  constructor(options: LifecycleOptions) {
    super({ ...options, steps: serverSteps(options.servers, options.log, options.shutdownTimeoutMs), watchdogGraceMs: DRAIN_GRACE_MS });
  }
}
