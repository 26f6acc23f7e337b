import { afterEach, describe, expect, test, vi } from 'vitest';
import { COSTLY_PER_TURN, TURN_BUDGET_MS, visitInTurns } from '../../src/socketserver/in-turns.js';

// Issue 12 item 1: work over every connection (timeout sweep, drain, lingering deadlines) is done
// a bounded slice per event-loop turn. Deterministic: the turns are counted, and the clock is a
// mock where a time budget is tested.

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs visitInTurns to the end; returns how many items each turn visited. */
function runAll<T>(items: T[], visit: (item: T) => boolean): Promise<number[]> {
  const it = items[Symbol.iterator]();
  const perTurn: number[] = [];
  let seen = 0;
  return new Promise((resolve) => {
    const turn = (): void => {
      const before = seen;
      const done = visitInTurns(it, (x) => (seen++, visit(x)), turn);
      perTurn.push(seen - before);
      if (done) resolve(perTurn);
    };
    turn();
  });
}

describe('visitInTurns', () => {
  test(`costly visits: ${COSTLY_PER_TURN} per turn, the rest on later turns`, async () => {
    const visited: number[] = [];
    const perTurn = await runAll(
      Array.from({ length: 100 }, (_, i) => i),
      (x) => (visited.push(x), true),
    );
    expect(visited).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(perTurn).toEqual([COSTLY_PER_TURN, COSTLY_PER_TURN, COSTLY_PER_TURN, 100 - 3 * COSTLY_PER_TURN]);
  });

  test('a later turn runs after I/O: setImmediate, not a microtask', async () => {
    const order: string[] = [];
    const it = Array.from({ length: COSTLY_PER_TURN + 1 }, (_, i) => i)[Symbol.iterator]();
    const finished = new Promise<void>((resolve) => {
      const turn = (): void => {
        order.push('turn');
        if (visitInTurns(it, () => true, turn)) resolve();
      };
      turn();
    });
    void Promise.resolve().then(() => order.push('microtask'));
    await finished;
    expect(order.slice(0, 2)).toEqual(['turn', 'microtask']);
  });

  test('cheap checks stop at the time budget and go on where they stopped', async () => {
    let clock = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => clock);
    const items = Array.from({ length: 1_000 }, (_, i) => i);
    const visited: number[] = [];
    const perTurn = await runAll(items, (x) => {
      visited.push(x);
      clock += TURN_BUDGET_MS / 300; // 300 checks fill a turn's budget
      return false;
    });
    expect(visited).toEqual(items);
    // The clock is read every 256 checks: the first read after the budget is spent ends the turn.
    expect(perTurn.slice(0, -1).every((n) => n === 512)).toBe(true);
    expect(perTurn.reduce((a, b) => a + b, 0)).toBe(1_000);
  });

  test('a pass that fits the budget is done in one turn', async () => {
    vi.spyOn(performance, 'now').mockReturnValue(0);
    expect(
      await runAll(
        Array.from({ length: 10_000 }, () => 0),
        () => false,
      ),
    ).toEqual([10_000]);
  });
});
