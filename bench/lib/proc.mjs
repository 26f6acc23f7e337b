// Child processes of the harness: spawned pinned to a core, tracked, always ended.
// Every wait here has a deadline; every child is killed on exit, error or signal.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

/** Children still running; killAllSync() ends them when the harness exits for any reason. */
const live = new Set();

/** SIGKILL every child still running (synchronous: safe in an 'exit' handler). */
export function killAllSync() {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

/** Keeps the last `limit` bytes of a stream (a crashing server's stderr, for the report). */
function tail(stream, limit = 4096) {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (s) => {
    text = (text + s).slice(-limit);
  });
  return () => text;
}

/**
 * Spawns `argv` under `taskset -c core`. taskset execs the command, so child.pid is the pinned
 * program's own PID (the one whose /proc/PID/status we sample).
 * `stdout`: 'ignore', 'pipe' or a file descriptor.
 */
export function spawnPinned(core, argv, { env = {}, stdout = 'ignore', cwd } = {}) {
  const child = spawn('taskset', ['-c', String(core), ...argv], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', stdout, 'pipe'],
  });
  live.add(child);
  child.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
    child.on('error', (err) => {
      live.delete(child);
      resolve({ code: null, signal: null, error: err });
    });
  });
  child.stderrTail = tail(child.stderr);
  return child;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves with the exit status, or null if the child is still running after `ms`. */
export function waitExit(child, ms) {
  let timer;
  return Promise.race([
    child.exited,
    new Promise((r) => {
      timer = setTimeout(() => r(null), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** SIGTERM (the service flushes its logs on it), then SIGKILL after `graceMs`. */
export async function stop(child, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if ((await waitExit(child, graceMs)) === null) {
    child.kill('SIGKILL');
    await waitExit(child, 5000);
  }
}

/**
 * Runs a pinned command to completion (wrk, the idle-connection client) and returns its exit
 * status and stdout; killed if it outlives `timeoutMs`.
 */
export async function runPinned(core, argv, { timeoutMs, env } = {}) {
  const child = spawnPinned(core, argv, { stdout: 'pipe', env });
  const out = tail(child.stdout, 1 << 20);
  const status = await waitExit(child, timeoutMs);
  if (status === null) {
    child.kill('SIGKILL');
    await waitExit(child, 5000);
    return { code: null, timedOut: true, stdout: out(), stderr: child.stderrTail() };
  }
  // 'exit' can come before the pipes are drained.
  await sleep(20);
  return { ...status, timedOut: false, stdout: out(), stderr: child.stderrTail() };
}

/** VmRSS of a process in KiB, from /proc/PID/status; null if it is gone. */
export function readRssKb(pid) {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Clock ticks per second of /proc/PID/stat's times (`getconf CLK_TCK`; 100 on Linux). */
let clockTicks = null;
function ticksPerSecond() {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/**
 * CPU time a process has used so far, user + system, in µs, from fields 14 and 15 (utime,
 * stime) of /proc/PID/stat: all its threads (node's libuv pool and GC helpers, a pino worker),
 * not its children. Resolution: one clock tick (10 ms at CLK_TCK 100). null if it is gone.
 */
export function readCpuUs(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state), so utime (14) and stime (15) are fields[11] and fields[12].
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / ticksPerSecond();
  } catch {
    return null;
  }
}

/** A port free on 127.0.0.1 right now (the kernel's pick, released for the server to take). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export { sleep };
