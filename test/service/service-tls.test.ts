/**
 * The service over HTTPS: `TLS_CERT`, `TLS_KEY`, `TLS_PASSWORD_FILE` put the app listener on TLS
 * (curl `--cacert` checks the chain; the metrics listener stays plain HTTP; also with cluster
 * workers), and a missing, unreadable or wrong file stops the process with exit 78 and a line
 * naming the variable, before anything binds.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../harness/client.js';
import { runMain, type ServiceChild, startService } from '../fixtures/service/child.js';
import { makeCertificates, opensslMissing, type TestCertificates } from '../helpers/tls-certs.js';

const CURL = '/usr/bin/curl';
const curlMissing = existsSync(CURL) ? '' : ` [skipped: ${CURL} not found; apt-get install curl]`;
const skip = opensslMissing !== '' || curlMissing !== '';

let certs: TestCertificates;
let child: ServiceChild | null = null;
beforeAll(() => {
  if (opensslMissing === '') certs = makeCertificates();
});
afterAll(() => certs?.remove());
afterEach(async () => {
  await child?.stop();
  child = null;
});

function curl(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(CURL, ['-sS', ...args], { timeout: 15_000 }, (err, stdout, stderr) =>
      resolve({ code: err === null ? 0 : Number((err as { code?: number }).code ?? 1), stdout, stderr }),
    );
  });
}

describe(`the service over HTTPS${opensslMissing}${curlMissing}`, () => {
  it.skipIf(skip)('TLS_CERT and TLS_KEY: the app answers over HTTPS, metrics stay plain HTTP', async () => {
    child = await startService({ TLS_CERT: certs.cert, TLS_KEY: certs.key });
    const line = child.stdout[0]!;
    expect(line.app).toBe(`https://127.0.0.1:${child.appPort}`);
    expect(line.msg).toMatch(/^listening on https:\/\/127\.0\.0\.1:\d+ \(AppHandler\), metrics on http:\/\/127\.0\.0\.1:\d+$/);
    const r = await curl(['-i', '--cacert', certs.cert, `https://localhost:${child.appPort}/`]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*Hello, world!/);
    expect((await request(child.metricsPort, 'GET', '/healthz')).status).toBe(200);
    expect((await child.waitFor((rec) => rec.msg === 'request completed' && rec.res?.statusCode === 200)).level).toBe(30);
    // Plain HTTP on the TLS port gets no HTTP answer.
    const plain = await request(child.appPort, 'GET', '/').catch(() => null);
    expect(plain?.status).toBeUndefined();
  });

  it.skipIf(skip)('TLS_CERT alone, holding the key too', async () => {
    child = await startService({ TLS_CERT: certs.combined });
    const r = await curl(['--cacert', certs.combined, `https://localhost:${child.appPort}/`]);
    expect(r.stdout).toContain('Hello, world!');
  });

  it.skipIf(skip)('TLS_PASSWORD_FILE opens an encrypted key; two cluster workers serve HTTPS', async () => {
    child = await startService({ TLS_CERT: certs.encryptedCert, TLS_KEY: certs.encryptedKey, TLS_PASSWORD_FILE: certs.passwordFile, WORKERS: '2' });
    expect(child.stdout.at(-1)!.app).toMatch(/^https:/);
    for (let i = 0; i < 4; i++) {
      const r = await curl(['--cacert', certs.encryptedCert, `https://localhost:${child.appPort}/`]);
      expect(r.stdout).toContain('Hello, world!');
    }
  });
});

describe(`bad TLS settings exit 78 naming the variable${opensslMissing}`, () => {
  const cases: ReadonlyArray<readonly [string, () => Record<string, string>, RegExp]> = [
    ['TLS_KEY without TLS_CERT', () => ({ TLS_KEY: certs.key }), /^config error: TLS_KEY=".*": expected TLS_CERT to be set too/],
    ['TLS_PASSWORD_FILE without TLS_CERT', () => ({ TLS_PASSWORD_FILE: certs.passwordFile }), /^config error: TLS_PASSWORD_FILE=".*": expected TLS_CERT to be set too/],
    [
      'a missing certificate',
      () => ({ TLS_CERT: '/nonexistent/cert.pem', TLS_KEY: certs.key }),
      /^config error: TLS_CERT="\/nonexistent\/cert\.pem": cannot read the certificate file .*ENOENT; expected a readable PEM certificate chain/,
    ],
    ['a certificate that is not PEM', () => ({ TLS_CERT: certs.garbage, TLS_KEY: certs.key }), /^config error: TLS_CERT=".*garbage\.pem": .*no usable PEM certificate/],
    [
      'TLS_CERT alone without a key in it',
      () => ({ TLS_CERT: certs.cert }),
      /^config error: TLS_CERT=".*cert\.pem": .*not a usable PEM private key.*; expected a readable PEM certificate chain holding its private key too \(or set TLS_KEY\)/,
    ],
    ['an unreadable key', () => ({ TLS_CERT: certs.cert, TLS_KEY: certs.dir }), /^config error: TLS_KEY=".*": cannot read the key file .*EISDIR/],
    [
      'a key of another certificate',
      () => ({ TLS_CERT: certs.cert, TLS_KEY: certs.encryptedKey, TLS_PASSWORD_FILE: certs.passwordFile }),
      /^config error: TLS_KEY=".*enc-key\.pem": .*does not belong to the certificate/,
    ],
    [
      'an encrypted key without a password file',
      () => ({ TLS_CERT: certs.encryptedCert, TLS_KEY: certs.encryptedKey }),
      /^config error: TLS_KEY=".*": .*is encrypted and no password was given; expected TLS_PASSWORD_FILE/,
    ],
    [
      'a wrong password',
      () => ({ TLS_CERT: certs.encryptedCert, TLS_KEY: certs.encryptedKey, TLS_PASSWORD_FILE: certs.cert }),
      /^config error: TLS_PASSWORD_FILE=".*cert\.pem": .*does not open with the password given/,
    ],
    [
      'a missing password file',
      () => ({ TLS_CERT: certs.encryptedCert, TLS_KEY: certs.encryptedKey, TLS_PASSWORD_FILE: '/nonexistent/pw' }),
      /^config error: TLS_PASSWORD_FILE="\/nonexistent\/pw": cannot be read \(ENOENT\)/,
    ],
  ];
  for (const [name, env, line] of cases) {
    it.skipIf(opensslMissing !== '')(name, () => {
      const r = runMain({ PORT: '0', METRICS_PORT: '0', ...env() });
      expect(r.status).toBe(78);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(line);
      expect(r.stdout).toBe('');
    });
  }
});
