/**
 * How many cores this process may use, for `WORKERS=auto`: `os.availableParallelism()` (the
 * CPUs in the process's affinity mask), capped by the cgroup CPU quota when one is set
 * (a container's `--cpus`, a Kubernetes CPU limit). A fractional quota rounds up (1.5 CPUs → 2
 * workers), never below 1.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** The quota of cgroup v2's `cpu.max` ("max 100000" or "150000 100000") in CPUs, or null. */
export function parseCpuMax(text: string): number | null {
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === undefined || quota === 'max' || period === undefined) return null;
  const q = Number(quota);
  const p = Number(period);
  return Number.isFinite(q) && Number.isFinite(p) && q > 0 && p > 0 ? q / p : null;
}

/** The quota of cgroup v1's `cpu.cfs_quota_us` / `cpu.cfs_period_us` in CPUs (-1: none), or null. */
export function parseCfs(quotaText: string, periodText: string): number | null {
  const q = Number(quotaText.trim());
  const p = Number(periodText.trim());
  return Number.isFinite(q) && Number.isFinite(p) && q > 0 && p > 0 ? q / p : null;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The cgroup CPU quota of this process in CPUs, or null when there is none (or no cgroup fs). */
export function cgroupCpuQuota(root = '/sys/fs/cgroup'): number | null {
  const v2 = read(`${root}/cpu.max`);
  if (v2 !== null) return parseCpuMax(v2);
  const quota = read(`${root}/cpu/cpu.cfs_quota_us`) ?? read(`${root}/cpu,cpuacct/cpu.cfs_quota_us`);
  const period = read(`${root}/cpu/cpu.cfs_period_us`) ?? read(`${root}/cpu,cpuacct/cpu.cfs_period_us`);
  return quota !== null && period !== null ? parseCfs(quota, period) : null;
}

/** The cores `WORKERS=auto` uses: the available parallelism capped by the cgroup quota, ≥ 1. */
export function availableCores(parallelism = availableParallelism(), quota = cgroupCpuQuota()): number {
  const cores = quota === null ? parallelism : Math.min(parallelism, Math.ceil(quota));
  return Math.max(1, cores);
}
