/**
 * Test certificates made with the `openssl` command in a fresh temporary directory: self-signed
 * EC (P-256) certificates for `localhost` and `127.0.0.1`, usable as their own CA
 * (`curl --cacert cert.pem`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** '' when `openssl` runs, else the reason to put in a skipped test's title. */
export const opensslMissing: string = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0 ? '' : ' [skipped: openssl not found; apt-get install openssl]';

/** The files made by `makeCertificates()`. */
export interface TestCertificates {
  readonly dir: string;
  /** Certificate (its own CA) and its unencrypted key. */
  readonly cert: string;
  readonly key: string;
  /** cert and key in one PEM file (CPython's certfile without keyfile). */
  readonly combined: string;
  /** A second certificate whose key is encrypted with `password`. */
  readonly encryptedCert: string;
  readonly encryptedKey: string;
  readonly password: string;
  /** `password` and a newline, as a password file holds it. */
  readonly passwordFile: string;
  /** Not a PEM file at all. */
  readonly garbage: string;
  /** Removes the directory. */
  remove(): void;
}

function openssl(args: readonly string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
}

function selfSigned(cert: string, key: string, extra: readonly string[]): void {
  openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-days',
    '2',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout',
    key,
    '-out',
    cert,
    ...extra,
  ]);
}

/** Makes the certificates in a new temporary directory. */
export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(path.join(tmpdir(), 'basehttp-tls-'));
  const f = (name: string): string => path.join(dir, name);
  const password = 'correct horse';
  selfSigned(f('cert.pem'), f('key.pem'), ['-noenc']);
  selfSigned(f('enc-cert.pem'), f('enc-key.pem'), ['-passout', `pass:${password}`]);
  writeFileSync(f('combined.pem'), Buffer.concat([readFileSync(f('cert.pem')), readFileSync(f('key.pem'))]));
  writeFileSync(f('password.txt'), `${password}\n`);
  writeFileSync(f('garbage.pem'), 'not a certificate\n');
  return {
    dir,
    cert: f('cert.pem'),
    key: f('key.pem'),
    combined: f('combined.pem'),
    encryptedCert: f('enc-cert.pem'),
    encryptedKey: f('enc-key.pem'),
    password,
    passwordFile: f('password.txt'),
    garbage: f('garbage.pem'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
