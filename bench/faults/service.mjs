// The built service (dist/main.js) as a child process for the soak and SIGTERM-under-load runs:
// started pinned to core 0 on 127.0.0.1 with PORT=0 and METRICS_PORT=0, its real ports read from
// its startup log line; plus /proc readings (RSS, open file descriptors) of its process.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep, spawnPinned } from '../lib/proc.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SERVICE_CORE = 0;
export const CLIENT_CORE = 1;

/** The startup record: `{"app":"http://127.0.0.1:P","metrics":"http://127.0.0.1:M",...}`. */
function parseStartup(line) {
  try {
    const rec = JSON.parse(line);
    if (typeof rec.app !== 'string' || typeof rec.metrics !== 'string') return null;
    return { appPort: Number(new URL(rec.app).port), metricsPort: Number(new URL(rec.metrics).port), record: rec };
  } catch {
    return null;
  }
}

/**
 * Starts `node dist/main.js` with `env` added to the service's defaults. `logFile`: its stdout
 * (pino lines, access records) goes there; without it stdout is read for the startup line and
 * then discarded but for its last 16 KiB (a long soak would write gigabytes), which
 * `child.stdoutTail()` returns. Resolves { child, appPort, metricsPort, startup } once the
 * startup line is out; throws if the child exits first or after 15 s.
 */
export async function startService({ env = {}, logFile = null, entry = path.join(ROOT, 'dist/main.js') } = {}) {
  if (!fs.existsSync(entry)) throw new Error(`${entry} does not exist: run npm run build`);
  const fullEnv = { HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0', ...env };
  let fd = null;
  if (logFile !== null) fd = fs.openSync(logFile, 'w');
  const child = spawnPinned(SERVICE_CORE, ['node', entry], { env: fullEnv, stdout: fd ?? 'pipe', cwd: ROOT });
  if (fd !== null) fs.closeSync(fd);

  let found = null;
  if (fd === null) {
    let pending = '';
    let tail = '';
    child.stdoutTail = () => tail;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s) => {
      tail = s.length >= 16_384 ? s.slice(-16_384) : (tail + s).slice(-16_384);
      if (found !== null) return; // read and drop: the pipe never fills
      pending += s;
      let nl;
      while (found === null && (nl = pending.indexOf('\n')) !== -1) {
        found = parseStartup(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
      if (found !== null) pending = '';
    });
  }
  const deadline = Date.now() + 15_000;
  while (found === null) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`service exited (${child.exitCode ?? child.signalCode}) before listening: ${child.stderrTail().trim()}`);
    }
    if (Date.now() > deadline) throw new Error(`service did not log its startup line in 15 s: ${child.stderrTail().trim()}`);
    if (logFile !== null) {
      const text = fs.readFileSync(logFile, 'utf8');
      for (const line of text.split('\n')) {
        found = parseStartup(line);
        if (found !== null) break;
      }
    }
    if (found === null) await sleep(25);
  }
  return { child, appPort: found.appPort, metricsPort: found.metricsPort, startup: found.record };
}

/** VmRSS in KiB and the number of open file descriptors of `pid`; nulls once it is gone. */
export function procSample(pid) {
  let rssKib = null;
  let fds = null;
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    rssKib = m ? Number(m[1]) : null;
    fds = fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    // the process is gone
  }
  return { rssKib, fds };
}

/** Median of numbers (null for an empty list). */
export function median(values) {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** A timestamp for file names: 2026-11-28T10-22-29. */
export function stamp(date = new Date()) {
  return date.toISOString().slice(0, 19).replace(/:/g, '-');
}
