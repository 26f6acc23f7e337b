// Per-cell arithmetic: medians over rounds, ratios to the baseline, the targets.

export function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/**
 * A cell is valid when every round ran and none had a problem (non-2xx, socket error,
 * short bytes, crash): a server that fails a check gets no figure in the headline table.
 */
export function summarize(rounds) {
  const problems = rounds.flatMap((r, i) => r.problems.map((p) => `round ${i + 1}: ${p}`));
  return {
    valid: rounds.length > 0 && problems.length === 0,
    value: median(rounds.map((r) => r.value)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    rssKb: median(rounds.map((r) => r.rssKb)),
    baseRssKb: median(rounds.map((r) => r.baseRssKb)),
    problems,
  };
}

/**
 * Issue 5's targets. `higher`: the ratio must reach `min`; otherwise (RSS) it must stay at or
 * below `max`.
 */
export const TARGETS = [
  { server: 'basehttp', scenario: 'hello', versus: 'node-http', min: 2.0 },
  { server: 'basehttp', scenario: 'hello', versus: 'fastify', min: 1.9 },
  { server: 'basehttp', scenario: 'hello', versus: 'nginx', min: 0.7 },
  { server: 'basehttp', scenario: 'pipeline', versus: 'node-http', min: 10 },
  { server: 'basehttp', scenario: 'close', versus: 'node-http', min: 1.1 },
  { server: 'basehttp', scenario: '64k', versus: 'node-http', min: 1.1 },
  { server: 'basehttp', scenario: 'upload', versus: 'node-http', min: 1.1 },
  { server: 'service', scenario: 'hello', versus: 'node-http', min: 1.6 },
  { server: 'basehttp', scenario: 'idle10k', versus: 'node-http', max: 1.0 },
];

/** Ratio of two valid cells, or null. */
export function ratio(cell, base) {
  if (!cell?.valid || !base?.valid || !cell.value || !base.value) return null;
  return cell.value / base.value;
}
