/**
 * The entry point as PID 1 without an init (issue 4, item 5).
 *
 * `docker run` without `--init` makes `node dist/main.js` PID 1 of the container. The kernel
 * gives PID 1 no default signal actions: a SIGTERM sent from outside its PID namespace is
 * dropped unless the process installed a handler. So `docker stop` only works if the service
 * handles SIGTERM itself. This test reproduces that with `unshare --pid --fork --mount-proc`
 * (util-linux): node runs as PID 1 of a fresh PID namespace, gets SIGTERM from the host's
 * namespace as dockerd sends it, and must drain an in-flight request, close an idle keep-alive
 * connection at once, log "shutdown complete" and exit 0 long before SHUTDOWN_TIMEOUT_MS.
 *
 * Needs root and `unshare`; skipped otherwise.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get, type IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const mainJs = join(root, 'dist', 'main.js');
const unshareWorks = process.platform === 'linux' && process.getuid?.() === 0 && spawnSync('unshare', ['--version'], { stdio: 'ignore' }).status === 0;

const SHUTDOWN_TIMEOUT_MS = 8000;
const SLOW_MS = 1000;

/**
 * A handler whose GET /slow sends its head at once and its body SLOW_MS after the drain began
 * (so the request is in flight when SIGTERM arrives, however late the test sends it, and the
 * exit must wait SLOW_MS for it).
 */
const slowHandlerSource = (indexUrl: string): string => `
import { BaseHTTPRequestHandler } from ${JSON.stringify(indexUrl)};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export default class SlowHandler extends BaseHTTPRequestHandler {
  protocolVersion = 'HTTP/1.1';
  async do_GET() {
    const body = Buffer.from(this.path === '/slow' ? 'drained\\n' : 'fast\\n');
    this.sendResponse(200);
    this.sendHeader('Content-Type', 'text/plain');
    this.sendHeader('Content-Length', String(body.length));
    this.endHeaders();
    if (this.path === '/slow') {
      while (!this.server.isShuttingDown) await sleep(10);
      await sleep(${SLOW_MS});
    }
    this.wfile.write(body);
  }
}
`;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => srv.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Reply {
  res: IncomingMessage;
  body: Promise<string>;
}

/** GET that resolves on the response head; `body` resolves when the body is complete. */
function request(port: number, path: string, agent: Agent | false = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, agent, timeout: 10_000 }, (res) => {
      const body = new Promise<string>((done, fail) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => done(text));
        res.on('error', fail);
        res.on('aborted', () => fail(new Error(`${path}: response aborted`)));
      });
      body.catch(() => {});
      resolve({ res, body });
    });
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer`)));
    req.on('error', reject);
  });
}

const nodeBinary = realpathSync(process.execPath);

/** True once `pid` runs this test's node binary (false while it is still unshare, or once it is gone). */
function isNode(pid: number): boolean {
  try {
    return readlinkSync(`/proc/${pid}/exe`) === nodeBinary;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return false;
    throw e;
  }
}

/** The host PID of unshare's forked child once it has exec'd node (waits up to 20 s). */
async function nodePidUnder(unsharePid: number): Promise<number> {
  for (const deadline = performance.now() + 20_000; performance.now() < deadline;) {
    const children = readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').trim();
    const pid = Number(children.split(/\s+/)[0]);
    // By its executable, not /proc/PID/comm: Node 24 names its main thread `MainThread`.
    if (pid > 0 && isNode(pid)) return pid;
    await sleep(50);
  }
  throw new Error('unshare did not start node');
}

let child: ChildProcess | undefined;
let tmp: string | undefined;
afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  child = undefined;
  tmp = undefined;
});

test.runIf(unshareWorks)(
  'node dist/main.js as PID 1 drains on SIGTERM and exits 0',
  async () => {
    expect(existsSync(mainJs), `${mainJs} missing: run npm run build`).toBe(true);
    tmp = mkdtempSync(join(tmpdir(), 'basehttp-pid1-'));
    const handlerPath = join(tmp, 'slow-handler.mjs');
    writeFileSync(handlerPath, slowHandlerSource(pathToFileURL(join(root, 'dist', 'index.js')).href));
    const [port, metricsPort] = [await freePort(), await freePort()];

    // --kill-child: when a failed test kills unshare, node (PID 1 inside) goes with it instead of running on.
    const proc = spawn('unshare', ['--pid', '--fork', '--kill-child', '--mount-proc', process.execPath, mainJs], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        HANDLER_MODULE: handlerPath,
        SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
        READINESS_DELAY_MS: '0',
        // Only the drain may close the idle keep-alive connection below, not its timeout.
        KEEP_ALIVE_TIMEOUT_MS: '60000',
        LOG_LEVEL: 'info',
      },
    });
    child = proc;
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    proc.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
    // 'close', not 'exit': by then `out` holds everything the service wrote.
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('close', (code, signal) => resolve({ code, signal })));

    // node is PID 1 of its own namespace: the last NSpid field is its PID there
    const pid = await nodePidUnder(proc.pid!);
    const nspid = /^NSpid:\s*(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]?.split(/\s+/);
    expect(nspid?.at(-1), 'PID inside the new namespace').toBe('1');

    // ready: /healthz answers on the metrics port
    let healthy = false;
    for (const deadline = performance.now() + 20_000; !healthy && proc.exitCode === null && performance.now() < deadline;) {
      healthy = await request(metricsPort, '/healthz').then(
        async (r) => (await r.body, r.res.statusCode === 200),
        () => false,
      );
      if (!healthy) await sleep(100);
    }
    expect(healthy, `service never became healthy:\n${out}`).toBe(true);

    // an idle keep-alive connection, and a request still in flight when SIGTERM arrives
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const fast = await request(port, '/fast', agent);
    expect(await fast.body).toBe('fast\n');
    const slow = await request(port, '/slow');
    expect(slow.res.statusCode).toBe(200);

    const t0 = performance.now();
    process.kill(pid, 'SIGTERM');
    const body = await slow.body;
    // PID 1 without a SIGTERM handler would ignore the signal and never exit
    let giveUp: NodeJS.Timeout | undefined;
    const { code, signal } = await Promise.race([
      exited,
      new Promise<never>((_, reject) => {
        giveUp = setTimeout(() => reject(new Error(`still running ${SHUTDOWN_TIMEOUT_MS + 5000} ms after SIGTERM:\n${out}`)), SHUTDOWN_TIMEOUT_MS + 5000);
      }),
    ]).finally(() => clearTimeout(giveUp));
    const tookMs = performance.now() - t0;
    agent.destroy();

    expect(body, 'in-flight response completed').toBe('drained\n');
    expect({ code, signal }, out).toEqual({ code: 0, signal: null });
    expect(out).toMatch(/shutdown complete/);
    // The exit waited for the in-flight request (SLOW_MS from the drain, which follows t0; the
    // 50 ms allow for the child's timer clock, libuv's cached whole-millisecond loop time) ...
    expect(tookMs).toBeGreaterThanOrEqual(SLOW_MS - 50);
    // ... and not for the idle keep-alive connection: a drain held up by it ends only at
    // SHUTDOWN_TIMEOUT_MS (then with exit code 1).
    expect(tookMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
  },
  30_000,
);
