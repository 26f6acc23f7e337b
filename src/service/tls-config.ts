/**
 * HTTPS for the service's app listener: `TLS_CERT`, `TLS_KEY`, `TLS_PASSWORD_FILE` become
 * `HTTPSServer` options, and are checked at startup — read and loaded as the server will load
 * them — so that a missing, unreadable or wrong file stops the process with exit 78 and a line
 * naming the variable, before anything binds.
 */
import { readFileSync } from 'node:fs';
import { loadSecureContext, type HTTPSServerOptions } from '../http/tls-listener.js';
import type { Config } from './config.js';

/** The app listener's URL scheme. */
export function appScheme(config: Config): 'http' | 'https' {
  return config.TLS_CERT === null ? 'http' : 'https';
}

/** The passphrase in a password file: its text without surrounding whitespace (CPython's `strip()`). */
function readPassword(file: string): string {
  return readFileSync(file, 'utf8').trim();
}

/**
 * The app listener's TLS options, or null for plain HTTP. The password file is read when the
 * listener binds (each cluster worker reads it too).
 */
export function tlsOptions(config: Config): HTTPSServerOptions | null {
  if (config.TLS_CERT === null) return null;
  const passwordFile = config.TLS_PASSWORD_FILE;
  return {
    certfile: config.TLS_CERT,
    keyfile: config.TLS_KEY,
    password: passwordFile === null ? null : () => readPassword(passwordFile),
  };
}

/** One config line: `NAME="value": what is wrong; expected …`. */
function problem(name: 'TLS_CERT' | 'TLS_KEY' | 'TLS_PASSWORD_FILE', value: string, fault: string, expected: string): string {
  return `${name}=${JSON.stringify(value)}: ${fault}; expected ${expected}`;
}

/**
 * Loads the TLS files as the listener will; returns the problems found (none: fine, or no TLS),
 * each naming the variable at fault.
 */
export function checkTls(config: Config): string[] {
  const options = tlsOptions(config);
  if (options === null) return [];
  const cert = config.TLS_CERT!;
  const passwordFile = config.TLS_PASSWORD_FILE;
  let password: string | null = null;
  if (passwordFile !== null) {
    try {
      password = readPassword(passwordFile);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      return [problem('TLS_PASSWORD_FILE', passwordFile, `cannot be read (${err.code ?? err.message})`, "a readable file holding the key's passphrase")];
    }
  }
  try {
    loadSecureContext({ ...options, password });
    return [];
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.code === 'ERR_TLS_PASSWORD') {
      return passwordFile === null
        ? [
            problem(
              config.TLS_KEY === null ? 'TLS_CERT' : 'TLS_KEY',
              config.TLS_KEY ?? cert,
              err.message,
              'TLS_PASSWORD_FILE with its passphrase, or a key that is not encrypted',
            ),
          ]
        : [problem('TLS_PASSWORD_FILE', passwordFile, err.message, 'the passphrase of the key')];
    }
    if (err.code === 'ERR_TLS_KEY' && config.TLS_KEY !== null) {
      return [problem('TLS_KEY', config.TLS_KEY, err.message, 'a readable PEM private key matching TLS_CERT')];
    }
    return [
      problem(
        'TLS_CERT',
        cert,
        err.message,
        config.TLS_KEY === null ? 'a readable PEM certificate chain holding its private key too (or set TLS_KEY)' : 'a readable PEM certificate chain',
      ),
    ];
  }
}
