import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { afterAll, describe, expect, test } from 'vitest';
import { loadSecureContext } from '../../src/http/tls-listener.js';
import { makeCertificates, opensslMissing, type TestCertificates } from '../helpers/tls-certs.js';

// A wrong password for an encrypted key usually fails OpenSSL's padding check (ERR_OSSL_BAD_DECRYPT),
// but about 1 in 200 pass it and the garbage then fails to decode (ERR_OSSL_UNSUPPORTED). That was
// reported as ERR_TLS_KEY ("not a usable PEM private key"), so the tests of a wrong or missing
// password, whose certificates are made fresh for each run, failed about one run in a hundred.
// Here the rare password is searched for, so the case is met every run.

let certs: TestCertificates | null = null;
afterAll(() => certs?.remove());

describe.skipIf(opensslMissing !== '')(`an encrypted key and a wrong password${opensslMissing}`, () => {
  test('a wrong password that passes the padding check is still ERR_TLS_PASSWORD, not ERR_TLS_KEY', () => {
    certs = makeCertificates();
    const cert = readFileSync(certs.encryptedCert);
    const key = readFileSync(certs.encryptedKey);
    let rare: string | null = null;
    const seen = new Set<string>();
    // ~4 ms a try; the chance of no such password in 5 000 tries is about e^-25
    for (let i = 0; i < 5_000 && rare === null; i++) {
      try {
        createSecureContext({ cert, key, passphrase: `wrong ${i}` });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? '';
        seen.add(code);
        if (code !== 'ERR_OSSL_BAD_DECRYPT') rare = `wrong ${i}`;
      }
    }
    expect(rare, `codes seen: ${[...seen].join(', ')}`).not.toBeNull();
    expect(() => loadSecureContext({ certfile: certs!.encryptedCert, keyfile: certs!.encryptedKey, password: rare! })).toThrow(
      expect.objectContaining({ code: 'ERR_TLS_PASSWORD', message: expect.stringMatching(/does not open with the password given/) }),
    );
    // the usual wrong password, and the right one, as before
    expect(() => loadSecureContext({ certfile: certs!.encryptedCert, keyfile: certs!.encryptedKey, password: 'wrong' })).toThrow(
      expect.objectContaining({ code: 'ERR_TLS_PASSWORD' }),
    );
    expect(loadSecureContext({ certfile: certs.encryptedCert, keyfile: certs.encryptedKey, password: certs.password }).key).toBeDefined();
    // a key that is not the certificate's stays ERR_TLS_KEY
    expect(() => loadSecureContext({ certfile: certs!.cert, keyfile: certs!.encryptedKey, password: certs!.password })).toThrow(
      expect.objectContaining({ code: 'ERR_TLS_KEY', message: expect.stringMatching(/does not belong to the certificate/) }),
    );
  });
});
