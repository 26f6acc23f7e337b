import { describe, expect, test } from 'vitest';
import { currentHttpDate, httpDate } from '../src/http/date.js';

describe('Date header', () => {
  test('IMF-fixdate format', () => {
    expect(httpDate(Date.UTC(2026, 10, 28, 9, 36, 13, 999))).toBe('Sat, 28 Nov 2026 09:36:13 GMT');
    expect(httpDate(Date.UTC(2027, 0, 3, 0, 0, 0))).toBe('Sun, 03 Jan 2027 00:00:00 GMT');
  });

  test('the cached value follows the clock across second boundaries', async () => {
    const seen = new Set<string>();
    const end = Date.now() + 2300;
    while (Date.now() < end) {
      const before = Date.now();
      const d = currentHttpDate();
      const after = Date.now();
      // The cache is dropped by a timer at the boundary, which may fire a few ms late.
      expect([httpDate(before), httpDate(after), httpDate(before - 25)]).toContain(d);
      seen.add(d);
      await new Promise((r) => setTimeout(r, 37));
    }
    expect(seen.size).toBeGreaterThanOrEqual(2);
  });
});
