import { afterEach, describe, expect, test, vi } from 'vitest';
import { currentHttpDate, httpDate } from '../../src/http/date.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('Date header', () => {
  test('IMF-fixdate format', () => {
    expect(httpDate(Date.UTC(2026, 10, 28, 9, 36, 13, 999))).toBe('Sat, 28 Nov 2026 09:36:13 GMT');
    expect(httpDate(Date.UTC(2027, 0, 3, 0, 0, 0))).toBe('Sun, 03 Jan 2027 00:00:00 GMT');
  });

  // On a fake clock: the cache is dropped by a timer at the second boundary, and a real timer
  // may run late, so on the real clock the test could only accept "this second or the last".
  // Nothing in this file calls currentHttpDate() before this test (the cache is module state).
  test('the cached value follows the clock across second boundaries', () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    vi.setSystemTime(Date.UTC(2026, 10, 28, 9, 36, 13, 990));
    expect(currentHttpDate()).toBe('Sat, 28 Nov 2026 09:36:13 GMT');
    vi.advanceTimersByTime(9); // 13.999
    expect(currentHttpDate()).toBe('Sat, 28 Nov 2026 09:36:13 GMT');
    vi.advanceTimersByTime(1); // 14.000: the boundary
    expect(currentHttpDate()).toBe('Sat, 28 Nov 2026 09:36:14 GMT');
    vi.advanceTimersByTime(999); // 14.999
    expect(currentHttpDate()).toBe('Sat, 28 Nov 2026 09:36:14 GMT');
    vi.advanceTimersByTime(1); // 15.000
    expect(currentHttpDate()).toBe('Sat, 28 Nov 2026 09:36:15 GMT');
    // Seconds in which nothing asked for the date, then the end of a day.
    vi.advanceTimersByTime(Date.UTC(2026, 10, 28, 23, 59, 59, 500) - Date.now());
    expect(currentHttpDate()).toBe('Sat, 28 Nov 2026 23:59:59 GMT');
    vi.advanceTimersByTime(500);
    expect(currentHttpDate()).toBe('Sun, 29 Nov 2026 00:00:00 GMT');
  });
});
