/**
 * The shutdown state machine (src/service/shutdown.ts) on a fake clock: every transition, timer and
 * log line, without processes or sockets (test/service/shutdown.test.ts and test/service/workers.test.ts run the
 * real entry point end to end).
 */
import pino from 'pino';
import { describe, expect, test } from 'vitest';
import { Lifecycle } from '../../src/service/lifecycle.js';
import {
  type Cut,
  DRAIN_GRACE_MS,
  type DrainFailure,
  longestShutdownMs,
  Shutdown,
  type ShutdownSteps,
  type ShutdownTimers,
  watchdogGraceMs,
  WORKER_EXIT_GRACE_MS,
} from '../../src/service/shutdown.js';

/** Timers that fire only when the test advances the clock. */
class FakeClock implements ShutdownTimers {
  now = 0;
  #id = 0;
  readonly #pending = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): unknown {
    this.#pending.set(++this.#id, { at: this.now + ms, fn });
    return this.#id;
  }

  clearTimeout(handle: unknown): void {
    this.#pending.delete(handle as number);
  }

  get pending(): number {
    return this.#pending.size;
  }

  /** Moves the clock `ms` on, firing what falls due in order, each followed by its promise jobs. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      const due = [...this.#pending].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.#pending.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
      await settle();
    }
    this.now = end;
    await settle();
  }
}

/** Lets pending promise jobs run (the next macrotask comes after all of them). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Rec {
  level: number;
  msg: string;
  [k: string]: unknown;
}

/** A state machine on a fake clock, its log records, exits and calls to the steps. */
function harness(o: { readinessDelayMs?: number; shutdownTimeoutMs?: number; watchdogGraceMs?: number; drain?: () => Promise<DrainFailure | null> } = {}) {
  const records: Rec[] = [];
  const log = pino({ base: null, timestamp: false }, { write: (line: string) => void records.push(JSON.parse(line) as Rec) });
  const clock = new FakeClock();
  const calls: string[] = [];
  const exits: number[] = [];
  let release!: (failure: DrainFailure | null) => void;
  const steps: ShutdownSteps = {
    stopping: () => void calls.push('stopping'),
    startedFields: () => ({ workers: [7, 8] }),
    drain:
      o.drain ??
      (() => {
        calls.push('drain');
        return new Promise<DrainFailure | null>((resolve) => (release = resolve));
      }),
    cut: (): Cut => {
      calls.push('cut');
      return { fields: { connectionsCut: 3 }, text: '3 connection(s) cut' };
    },
  };
  const machine = new Shutdown({
    steps,
    log,
    flushLogs: () => void calls.push(`flush`),
    readinessDelayMs: o.readinessDelayMs ?? 1_000,
    shutdownTimeoutMs: o.shutdownTimeoutMs ?? 10_000,
    watchdogGraceMs: o.watchdogGraceMs ?? DRAIN_GRACE_MS,
    exit: (code) => {
      calls.push(`exit ${code}`);
      exits.push(code);
    },
    timers: clock,
  });
  return { machine, clock, records, calls, exits, release: (f: DrainFailure | null) => release(f), msgs: () => records.map((r) => r.msg) };
}

describe('shutdown state machine', () => {
  test('first signal: not ready at once, the drain after READINESS_DELAY_MS, exit 0 after "shutdown complete"', async () => {
    const h = harness();
    expect([h.machine.state, h.machine.ready]).toEqual(['serving', true]);
    h.machine.signal('SIGTERM');
    expect([h.machine.state, h.machine.ready]).toEqual(['notReady', false]);
    expect(h.records[0]).toEqual({
      level: 30,
      signal: 'SIGTERM',
      readinessDelayMs: 1_000,
      shutdownTimeoutMs: 10_000,
      workers: [7, 8],
      msg: 'SIGTERM: shutdown started, not ready',
    });
    expect(h.calls).toEqual(['stopping']);

    await h.clock.advance(999);
    expect(h.calls).toEqual(['stopping']);
    await h.clock.advance(1);
    expect(h.machine.state).toBe('draining');
    expect(h.calls).toEqual(['stopping', 'drain']);

    h.release(null);
    await settle();
    expect(h.machine.state).toBe('done');
    expect(h.records.at(-1)).toEqual({ level: 30, msg: 'shutdown complete' });
    expect(h.calls).toEqual(['stopping', 'drain', 'flush', 'exit 0']); // the logs flushed before the exit
    expect(h.clock.pending).toBe(0); // the watchdog cleared
  });

  test('READINESS_DELAY_MS 0: the drain begins in the signal’s own turn', () => {
    const h = harness({ readinessDelayMs: 0 });
    h.machine.signal('SIGINT');
    expect(h.machine.state).toBe('draining');
    expect(h.calls).toEqual(['stopping', 'drain']);
    expect(h.clock.pending).toBe(1); // only the watchdog
  });

  test('a drain that failed: its error record, exit 1', async () => {
    const h = harness({ readinessDelayMs: 0 });
    h.machine.signal('SIGTERM');
    h.release({ fields: { connectionsCut: 2 }, msg: 'shutdown timed out after 10000 ms: 2 connection(s) cut' });
    await settle();
    expect(h.records.at(-1)).toEqual({ level: 50, connectionsCut: 2, msg: 'shutdown timed out after 10000 ms: 2 connection(s) cut' });
    expect(h.exits).toEqual([1]);
    expect(h.msgs()).not.toContain('shutdown complete');
  });

  test('a drain that throws: "shutdown failed", exit 1', async () => {
    const h = harness({ readinessDelayMs: 0, drain: () => Promise.reject(new Error('boom')) });
    h.machine.signal('SIGTERM');
    await settle();
    expect(h.records.at(-1)).toMatchObject({ level: 50, msg: 'shutdown failed', err: { message: 'boom' } });
    expect(h.exits).toEqual([1]);
  });

  test('the watchdog: SHUTDOWN_TIMEOUT_MS + the grace after the drain began, what is open is cut, exit 1; a late drain changes nothing', async () => {
    const h = harness({ readinessDelayMs: 500, shutdownTimeoutMs: 4_000, watchdogGraceMs: 2_000 });
    h.machine.signal('SIGTERM');
    await h.clock.advance(500);
    await h.clock.advance(5_999);
    expect(h.exits).toEqual([]);
    await h.clock.advance(1);
    expect(h.records.at(-1)).toEqual({ level: 50, connectionsCut: 3, msg: 'shutdown did not finish within 6000 ms: 3 connection(s) cut' });
    expect(h.calls).toEqual(['stopping', 'drain', 'cut', 'flush', 'exit 1']);
    h.release(null);
    await settle();
    expect(h.exits).toEqual([1]);
    expect(h.msgs()).not.toContain('shutdown complete');
  });

  test('a second signal during the readiness delay: cut, exit 1 at once; the delay ending later drains nothing', async () => {
    const h = harness({ readinessDelayMs: 20_000 });
    h.machine.signal('SIGTERM');
    await h.clock.advance(100);
    h.machine.signal('SIGINT');
    expect(h.records.at(-1)).toEqual({ level: 50, signal: 'SIGINT', connectionsCut: 3, msg: 'second signal SIGINT: exiting now, 3 connection(s) cut' });
    expect(h.machine.state).toBe('done');
    await h.clock.advance(60_000);
    expect(h.calls).toEqual(['stopping', 'cut', 'flush', 'exit 1']);
  });

  test('a second signal while draining: exit 1 once; a third signal and the drain ending are ignored', async () => {
    const h = harness({ readinessDelayMs: 0 });
    h.machine.signal('SIGTERM');
    h.machine.signal('SIGTERM');
    h.machine.signal('SIGTERM');
    h.release(null);
    await h.clock.advance(60_000);
    expect(h.calls).toEqual(['stopping', 'drain', 'cut', 'flush', 'exit 1']);
    expect(h.msgs().filter((m) => m.startsWith('second signal'))).toHaveLength(1);
  });

  test('shutdown() is idempotent: one sequence, one started line', async () => {
    const h = harness({ readinessDelayMs: 0 });
    const a = h.machine.shutdown('test');
    expect(h.machine.shutdown('again')).toBe(a);
    h.release(null);
    await a;
    expect(h.msgs()).toEqual(['test: shutdown started, not ready', 'shutdown complete']);
    expect(h.exits).toEqual([0]);
  });

  test('the grace periods: 2 s for a process’s own drain, 2 + 3 s for the cluster primary', () => {
    expect([DRAIN_GRACE_MS, WORKER_EXIT_GRACE_MS]).toEqual([2_000, 3_000]);
    expect([watchdogGraceMs(1), watchdogGraceMs(2), watchdogGraceMs(64)]).toEqual([2_000, 5_000, 5_000]);
    expect(longestShutdownMs({ READINESS_DELAY_MS: 5_000, SHUTDOWN_TIMEOUT_MS: 10_000, WORKERS: 1 })).toBe(17_000);
    expect(longestShutdownMs({ READINESS_DELAY_MS: 5_000, SHUTDOWN_TIMEOUT_MS: 10_000, WORKERS: 4 })).toBe(20_000);
  });
});

describe('Lifecycle: the state machine with the listeners’ drain', () => {
  /** A listener as the lifecycle sees it; its drain ends when the test says, cutting `cut` connections. */
  function listener(open: number) {
    let end!: (cut: number) => void;
    const s = {
      activeConnections: open,
      connectionsCut: 0,
      shutdownTimeoutMs: 0,
      closed: false,
      shutdown: () => new Promise<void>((resolve) => (end = (cut) => ((s.connectionsCut = cut), resolve()))),
      serverClose: () => void (s.closed = true),
      end: (cut: number) => end(cut),
    };
    return s;
  }

  function lifecycle(servers: ReturnType<typeof listener>[]) {
    const records: Rec[] = [];
    const clock = new FakeClock();
    const exits: number[] = [];
    const l = new Lifecycle({
      servers: servers as never,
      log: pino({ base: null, timestamp: false }, { write: (line: string) => void records.push(JSON.parse(line) as Rec) }),
      flushLogs: () => {},
      readinessDelayMs: 0,
      shutdownTimeoutMs: 3_000,
      exit: (code) => void exits.push(code),
      timers: clock,
    });
    return { l, records, clock, exits };
  }

  test('drains every listener with SHUTDOWN_TIMEOUT_MS, closes them, exit 0', async () => {
    const [app, metrics] = [listener(2), listener(1)];
    const h = lifecycle([app, metrics]);
    h.l.signal('SIGTERM');
    expect(h.records.at(-1)).toEqual({ level: 30, connectionsOpen: 3, msg: 'draining connections' });
    expect([app.shutdownTimeoutMs, metrics.shutdownTimeoutMs]).toEqual([3_000, 3_000]);
    app.end(0);
    metrics.end(0);
    await settle();
    expect([app.closed, metrics.closed]).toEqual([true, true]);
    expect(h.records.at(-1)!.msg).toBe('shutdown complete');
    expect(h.exits).toEqual([0]);
  });

  test('connections cut by the listeners’ timeout: logged, exit 1', async () => {
    const [app, metrics] = [listener(2), listener(0)];
    const h = lifecycle([app, metrics]);
    h.l.signal('SIGTERM');
    app.end(2);
    metrics.end(0);
    await settle();
    expect(h.records.at(-1)).toEqual({ level: 50, connectionsCut: 2, shutdownTimeoutMs: 3_000, msg: 'shutdown timed out after 3000 ms: 2 connection(s) cut' });
    expect(h.exits).toEqual([1]);
  });

  test('its watchdog fires DRAIN_GRACE_MS after SHUTDOWN_TIMEOUT_MS', async () => {
    const app = listener(4);
    const h = lifecycle([app]);
    h.l.signal('SIGTERM');
    await h.clock.advance(3_000 + DRAIN_GRACE_MS - 1);
    expect(h.exits).toEqual([]);
    await h.clock.advance(1);
    expect(h.records.at(-1)).toEqual({ level: 50, connectionsCut: 4, msg: 'shutdown did not finish within 5000 ms: 4 connection(s) cut' });
    expect(h.exits).toEqual([1]);
  });
});
