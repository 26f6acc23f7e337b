// The machine line of bench/RESULTS.md: CPU model, cores, kernel, Node, and the tools' versions.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './servers.mjs';

/** A tool's version from its output; wrk -v exits 1 and nginx -v prints to stderr. */
function version(cmd, args, pattern) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000 });
  if (r.error) return 'not found';
  return pattern.exec(`${r.stdout}${r.stderr}`)?.[1] ?? 'unknown';
}

export function machineInfo() {
  const cpu = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
  const fastify = (() => {
    try {
      return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/fastify/package.json'), 'utf8')).version;
    } catch {
      return 'not installed';
    }
  })();
  return {
    machine: `${cpu}, ${os.cpus().length} cores, Linux ${os.release()}, Node ${process.version}`,
    tools: [`wrk ${version('wrk', ['-v'], /^wrk (\S+)/m)}`, `nginx ${version('nginx', ['-v'], /nginx\/(\S+)/)}`, `fastify ${fastify}`].join(', '),
  };
}

/**
 * CPU counters for telling how busy the machine was with work other than the bench:
 * /proc/stat's machine-wide user+nice+system and steal, and this process's own and its
 * waited-for children's user+system time (/proc/self/stat utime, stime, cutime, cstime), all in
 * clock ticks. Interrupt time is left out: loopback traffic is counted there.
 */
export function cpuSnapshot() {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  // Fields after the command name, which is in parentheses and may hold spaces.
  const self = fs.readFileSync('/proc/self/stat', 'utf8');
  const f = self
    .slice(self.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  const ours = f[11] + f[12] + f[13] + f[14]; // utime stime cutime cstime (fields 14-17)
  return { busy: user + nice + system, steal, total: user + nice + system + idle + iowait + irq + softirq + steal, ours };
}

/** Shares of all cores' time between two snapshots, in percent. */
export function cpuOthers(a, b) {
  const total = b.total - a.total;
  if (total <= 0) return { othersPct: null, stealPct: null };
  return {
    othersPct: Math.max(0, ((b.busy - a.busy - (b.ours - a.ours)) / total) * 100),
    stealPct: ((b.steal - a.steal) / total) * 100,
  };
}
