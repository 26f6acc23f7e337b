/**
 * The `basehttp` command (dist/cli.js, the package's bin), run as a child process: CPython
 * 3.14's options and defaults, the `Serving HTTP on …` line, the listing and files, SIGTERM and
 * SIGINT draining a download in flight and exiting 0, bad options → usage and exit 2, a busy
 * port → exit 1, HTTPS with `--tls-cert`/`--tls-key`/`--tls-password-file` checked by curl
 * `--cacert`, and `npx basehttp` in the repository.
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, openSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTree, type FileTree } from '../helpers/file-tree.js';
import { parseResponses } from '../harness/response.js';
import { RawClient, sendRaw, tryConnect } from '../harness/client.js';
import { makeCertificates, opensslMissing, type TestCertificates } from '../helpers/tls-certs.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const CURL = '/usr/bin/curl';
const curlMissing = existsSync(CURL) ? '' : ` [skipped: ${CURL} not found; apt-get install curl]`;
/** Larger than what the kernel's socket buffers hold, so a paused download is still in flight. */
const BIG_BYTES = 64 * 1024 * 1024;

/** A running command: its banner's port, and everything it printed. */
interface Command {
  readonly child: ChildProcessWithoutNullStreams;
  readonly banner: string;
  readonly port: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

const children: ChildProcessWithoutNullStreams[] = [];
let tree: FileTree;
let certs: TestCertificates | null = null;

beforeAll(() => {
  tree = makeTree({ 'a.txt': 'hello\n', 'sub/b.txt': 'bee\n' });
  const fd = openSync(tree.at('big.bin'), 'w');
  ftruncateSync(fd, BIG_BYTES); // sparse: no disk used
  closeSync(fd);
  if (opensslMissing === '') certs = makeCertificates();
});
afterAll(() => {
  tree?.remove();
  certs?.remove();
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Starts `basehttp args…` (under node with `nodeArgs`) and resolves once it printed its first line. */
async function run(args: readonly string[], cwd = ROOT, nodeArgs: readonly string[] = []): Promise<Command> {
  const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], { cwd, stdio: 'pipe' });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
  // 'close': the process has exited and all it printed has been read.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner; stderr: ${err}`)), 15_000);
    const check = (): void => {
      if (!out.includes('\n')) return;
      clearTimeout(timer);
      resolve(out.slice(0, out.indexOf('\n')));
    };
    child.stdout.on('data', check);
    void exited.then((code) => reject(new Error(`exited ${code} before its banner; stderr: ${err}`)));
  });
  const port = Number(/ port (\d+) /.exec(banner)?.[1]);
  return { child, banner, port, stdout: () => out, stderr: () => err, exited };
}

/** Runs `basehttp args…` to completion (for option errors and --help). */
function runToEnd(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 15_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function get(port: number, target: string, version = '1.0'): Promise<{ status: number; version: string; body: string }> {
  const r = await sendRaw(port, `GET ${target} HTTP/${version}\r\nHost: x\r\nConnection: close\r\n\r\n`, { timeoutMs: 10_000 });
  const [res] = parseResponses(r.data).responses;
  return { status: res!.status, version: res!.version, body: res!.body.toString('utf8') };
}

describe('basehttp', () => {
  it("serves -d on -b and the port given, with CPython's line, log lines on stderr, HTTP/1.0 by default", async () => {
    const cmd = await run(['-b', '127.0.0.1', '-d', tree.base, '0']);
    expect(cmd.banner).toMatch(/^Serving HTTP on 127\.0\.0\.1 port (\d+) \(http:\/\/127\.0\.0\.1:\1\/\) \.\.\.$/);
    const listing = await get(cmd.port, '/');
    expect(listing).toMatchObject({ status: 200, version: 'HTTP/1.0' });
    expect(listing.body).toContain('<li><a href="sub/">sub/</a></li>');
    expect(await get(cmd.port, '/sub/b.txt')).toMatchObject({ status: 200, body: 'bee\n' });
    expect(cmd.stderr()).toMatch(/^127\.0\.0\.1 - - \[[^\]]+\] "GET \/sub\/b\.txt HTTP\/1\.0" 200 \d+$/m);
    cmd.child.kill('SIGTERM');
    expect(await cmd.exited).toBe(0);
  });

  it('defaults: all interfaces, the working directory; -p HTTP/1.1 keeps connections alive', async () => {
    const cmd = await run(['-p', 'HTTP/1.1', '0'], tree.at('sub'));
    expect(cmd.banner).toMatch(/^Serving HTTP on (::|0\.0\.0\.0) port (\d+) \(http:\/\/(\[::\]|0\.0\.0\.0):\2\/\) \.\.\.$/);
    expect(await get(cmd.port, '/b.txt', '1.1')).toMatchObject({ status: 200, version: 'HTTP/1.1', body: 'bee\n' });
    const twice = await sendRaw(cmd.port, 'GET /b.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /b.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { timeoutMs: 5_000 });
    expect(parseResponses(twice.data).responses.map((r) => r.status)).toEqual([200, 200]);
    cmd.child.kill('SIGINT');
    expect(await cmd.exited).toBe(0);
    expect(cmd.stdout()).toContain('\nKeyboard interrupt received, exiting.\n');
  });

  it('no port given: 8000, as CPython (or, when another process holds 8000, exit 1 naming port 8000)', async () => {
    const cmd = await run(['-b', '127.0.0.1', '-d', tree.base]).catch((e: Error) => e);
    if (cmd instanceof Error) {
      expect(cmd.message).toBe('exited 1 before its banner; stderr: basehttp: cannot listen on 127.0.0.1 port 8000: EADDRINUSE\n');
      return;
    }
    expect(cmd.banner).toBe('Serving HTTP on 127.0.0.1 port 8000 (http://127.0.0.1:8000/) ...');
    cmd.child.kill('SIGTERM');
    expect(await cmd.exited).toBe(0);
  });

  it('listens for SIGINT and SIGTERM before it prints the banner: a signal sent the moment the banner is read drains, never kills', async () => {
    // A CI run saw exit code null (killed by SIGTERM's default action) when the signal came right
    // after the banner, before the listeners were added. The preload reports the listeners at
    // the moment the banner is written, so this checks the order every time, not by chance.
    const preload = fileURLToPath(new URL('../fixtures/cli/banner-listeners.cjs', import.meta.url));
    const cmd = await run(['-b', '127.0.0.1', '-d', tree.base, '0'], ROOT, ['--require', preload]);
    cmd.child.kill('SIGTERM');
    expect(await cmd.exited).toBe(0);
    expect(cmd.stderr()).toContain('listeners at banner: SIGINT=1 SIGTERM=1\n');
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} lets a download in flight finish, then exits 0`, async () => {
      const cmd = await run(['-b', '127.0.0.1', '-d', tree.base, '0']);
      const got = await RawClient.connect(cmd.port);
      const socket = got.socket;
      socket.write('GET /big.bin HTTP/1.0\r\n\r\n');
      // The first bytes arrived: the response is under way; the rest waits for us to read.
      expect(await got.waitFor((d) => d.length > 0, 10_000)).toBe(true);
      socket.pause();
      cmd.child.kill(signal);
      // New connections are refused once the drain began.
      await expect.poll(async () => (await tryConnect(cmd.port)) !== 'connected', { timeout: 10_000 }).toBe(true);
      socket.resume();
      expect(await got.waitClosed(20_000)).toBe('close');
      const [res] = parseResponses(got.data).responses;
      expect(res!.body.length).toBe(BIG_BYTES);
      expect(await cmd.exited).toBe(0);
    });
  }

  it('-h prints the help and exits 0', () => {
    const r = runToEnd(['-h']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: basehttp \[-h\] \[-b ADDRESS\] \[-d DIRECTORY\] \[-p VERSION\] \[--tls-cert PATH\]\n/);
    expect(r.stdout).toContain('bind to this port (default: 8000)');
    expect(r.stdout).toContain('(default: HTTP/1.0)');
  });

  // Each list binds nothing even if it were accepted (port 0 where a port is needed).
  const bad: ReadonlyArray<readonly [string[], RegExp]> = [
    [['--bogus', '0'], /error: unrecognized arguments: --bogus$/],
    [['abc'], /error: argument port: invalid port: 'abc'/],
    [['70000'], /error: argument port: invalid port: '70000'/],
    [['0', '2'], /error: unrecognized arguments: 2$/],
    [['0', '-b'], /error: Option '-b, --bind <value>' argument missing/],
    [['-p', 'HTTP/2.0', '0'], /error: argument -p\/--protocol: invalid version: 'HTTP\/2\.0'/],
    [['-d', '/nonexistent/folder', '0'], /error: argument -d\/--directory: not a directory: '\/nonexistent\/folder'/],
    [['--tls-key', 'key.pem', '0'], /error: --tls-key requires --tls-cert to be set$/],
    [['--tls-password-file', 'p.txt', '0'], /error: --tls-password-file requires --tls-cert to be set$/],
    [['--tls-cert', '/nonexistent/cert.pem', '0'], /error: argument --tls-cert: cannot read the certificate file "\/nonexistent\/cert\.pem": ENOENT/],
  ];
  for (const [args, message] of bad) {
    it(`${args.join(' ')} → usage and exit 2`, () => {
      const r = runToEnd(args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^usage: basehttp /);
      expect(r.stderr.trimEnd()).toMatch(message);
      expect(r.stdout).toBe('');
    });
  }

  it('a port already in use → a message naming it and exit 1', async () => {
    const cmd = await run(['-b', '127.0.0.1', '-d', tree.base, '0']);
    const r = runToEnd(['-b', '127.0.0.1', String(cmd.port)]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`basehttp: cannot listen on 127.0.0.1 port ${cmd.port}: EADDRINUSE\n`);
  });

  it('the build leaves the bin executable (tsc writes it 0644; npx runs it only if it is)', () => {
    // npx marks it executable itself only when it first links this checkout, so without the
    // build's chmod the next test passed or failed with npx's cache ("sh: 1: basehttp: Permission denied")
    expect(statSync(new URL('dist/cli.js', `file://${ROOT}`)).mode & 0o111).toBe(0o111);
  });

  it('npx basehttp runs the bin from the repository', () => {
    const r = spawnSync('npx', ['basehttp', '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, npm_config_offline: 'true', npm_config_yes: 'true' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: basehttp /);
  });
});

describe(`basehttp over TLS${opensslMissing}${curlMissing}`, () => {
  const curl = (args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(CURL, ['-sS', ...args], { timeout: 15_000 }, (err, stdout, stderr) =>
        resolve({ code: err === null ? 0 : Number((err as { code?: number }).code ?? 1), stdout, stderr }),
      );
    });

  it.skipIf(opensslMissing !== '' || curlMissing !== '')('--tls-cert and --tls-key: "Serving HTTPS", and curl --cacert gets the files', async () => {
    const cmd = await run(['-b', '127.0.0.1', '-d', tree.base, '--tls-cert', certs!.cert, '--tls-key', certs!.key, '0']);
    expect(cmd.banner).toMatch(/^Serving HTTPS on 127\.0\.0\.1 port (\d+) \(https:\/\/127\.0\.0\.1:\1\/\) \.\.\.$/);
    const r = await curl(['--cacert', certs!.cert, `https://localhost:${cmd.port}/a.txt`]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('hello\n');
    cmd.child.kill('SIGTERM');
    expect(await cmd.exited).toBe(0);
  });

  it.skipIf(opensslMissing !== '' || curlMissing !== '')('--tls-password-file opens an encrypted key', async () => {
    const cmd = await run([
      '-b',
      '127.0.0.1',
      '-d',
      tree.base,
      '--tls-cert',
      certs!.encryptedCert,
      '--tls-key',
      certs!.encryptedKey,
      '--tls-password-file',
      certs!.passwordFile,
      '0',
    ]);
    const r = await curl(['--cacert', certs!.encryptedCert, `https://127.0.0.1:${cmd.port}/sub/b.txt`]);
    expect(r.stdout).toBe('bee\n');
    cmd.child.kill('SIGTERM');
    expect(await cmd.exited).toBe(0);
  });

  it.skipIf(opensslMissing !== '')('TLS files that do not load → usage and exit 2, naming the option', () => {
    const c = certs!;
    const cases: ReadonlyArray<readonly [string[], RegExp]> = [
      [['--tls-cert', c.garbage], /argument --tls-cert: .*no usable PEM certificate/],
      [['--tls-cert', c.cert, '--tls-key', c.garbage], /argument --tls-key: .*not a usable PEM private key/],
      [['--tls-cert', c.encryptedCert, '--tls-key', c.encryptedKey], /argument --tls-key: .*is encrypted and no password was given/],
      [
        ['--tls-cert', c.encryptedCert, '--tls-key', c.encryptedKey, '--tls-password-file', c.cert],
        /argument --tls-password-file: .*does not open with the password given/,
      ],
      [['--tls-cert', c.cert, '--tls-password-file', '/nonexistent/p.txt'], /Failed to read TLS password file: ENOENT/],
    ];
    for (const [args, message] of cases) {
      const r = runToEnd([...args, '0']);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
