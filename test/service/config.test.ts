import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_EXIT_CODE, loadConfig, SETTINGS } from '../../src/service/config.js';
import { runMain } from '../fixtures/service/child.js';

function problems(env: Record<string, string>): string[] {
  const r = loadConfig(env);
  return r.ok ? [] : r.problems;
}

describe('config schema', () => {
  it('takes every default from an empty environment', () => {
    const r = loadConfig({});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config).toEqual({
      HOST: '0.0.0.0',
      PORT: 8000,
      METRICS_PORT: 9464,
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: 10_000,
      READINESS_DELAY_MS: 0,
      HANDLER_MODULE: null,
      HEADERS_TIMEOUT_MS: 30_000,
      KEEP_ALIVE_TIMEOUT_MS: 5_000,
      REQUEST_TIMEOUT_MS: 300_000,
      MAX_BODY_BYTES: 1_048_576,
      MAX_CONNECTIONS: Infinity,
      MAX_HEADERS: 100,
      MAX_HEADER_LINE_BYTES: 65_536,
      LISTEN_BACKLOG: 511,
      ACCESS_LOG: true,
      ACCESS_LOG_PROBES: false,
      ERROR_LOG_FILE: null,
      PROTOCOL_VERSION: 'HTTP/1.1',
      WORKERS: 1,
      TRACEPARENT_RESPONSE: false,
      TLS_CERT: null,
      TLS_KEY: null,
      TLS_PASSWORD_FILE: null,
    });
  });

  it('documents every variable of the schema in SETTINGS, in order', () => {
    const r = loadConfig({});
    if (!r.ok) throw new Error('defaults failed');
    expect(SETTINGS.map((s) => s.name)).toEqual(Object.keys(r.config));
  });

  it('has every variable in the README.md table, with its default', () => {
    const doc = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const rows = doc.split('\n').filter((l) => l.startsWith('| `'));
    for (const s of SETTINGS) {
      const row = rows.find((l) => l.startsWith(`| \`${s.name}\` |`));
      expect(row, s.name).toBeDefined();
      expect(row!.split('|')[2]!.replaceAll('`', '').trim()).toBe(s.default);
    }
  });

  it('treats an empty or blank value as unset', () => {
    const r = loadConfig({ PORT: '', METRICS_PORT: '   ', ACCESS_LOG: '', LOG_LEVEL: ' ', HANDLER_MODULE: '' });
    expect(r.ok && [r.config.PORT, r.config.METRICS_PORT, r.config.ACCESS_LOG, r.config.LOG_LEVEL, r.config.HANDLER_MODULE]).toEqual([8000, 9464, true, 'info', null]);
  });

  it.each([
    ['false', false],
    ['0', false],
    ['no', false],
    ['off', false],
    ['FALSE', false],
    ['Off', false],
    ['true', true],
    ['1', true],
    ['yes', true],
    ['on', true],
    ['TRUE', true],
    [' yes ', true],
  ])('reads the boolean %j as %s', (raw, value) => {
    const r = loadConfig({ ACCESS_LOG: raw });
    expect(r.ok && r.config.ACCESS_LOG).toBe(value);
  });

  it('parses integers, limits, enums and hosts', () => {
    const r = loadConfig({
      PORT: '0',
      METRICS_PORT: '65535',
      MAX_CONNECTIONS: '250',
      LOG_LEVEL: 'DEBUG',
      PROTOCOL_VERSION: 'HTTP/1.0',
      HOST: '[::1]',
      HEADERS_TIMEOUT_MS: '1000',
      REQUEST_TIMEOUT_MS: '1000',
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([r.config.PORT, r.config.METRICS_PORT, r.config.MAX_CONNECTIONS, r.config.LOG_LEVEL, r.config.PROTOCOL_VERSION, r.config.HOST]).toEqual([
      0,
      65535,
      250,
      'debug',
      'HTTP/1.0',
      '::1',
    ]);
    expect(loadConfig({ MAX_CONNECTIONS: 'unlimited' }).ok && loadConfig({ HOST: 'localhost' }).ok).toBe(true);
  });

  it.each([
    ['PORT', '80a', 'PORT="80a": expected an integer from 0 to 65535'],
    ['PORT', '65536', 'PORT="65536": expected an integer from 0 to 65535'],
    ['PORT', '-1', 'PORT="-1": expected an integer from 0 to 65535'],
    ['PORT', '8e3', 'PORT="8e3": expected an integer from 0 to 65535'],
    ['PORT', '80.5', 'PORT="80.5": expected an integer from 0 to 65535'],
    ['SHUTDOWN_TIMEOUT_MS', '0', 'SHUTDOWN_TIMEOUT_MS="0": expected an integer from 1 to 86400000'],
    ['MAX_CONNECTIONS', '0', 'MAX_CONNECTIONS="0": expected an integer from 1 to 10000000, or "unlimited"'],
    ['ACCESS_LOG', 'maybe', 'ACCESS_LOG="maybe": expected one of true, 1, yes, on, false, 0, no, off'],
    ['TRACEPARENT_RESPONSE', 'echo', 'TRACEPARENT_RESPONSE="echo": expected one of true, 1, yes, on, false, 0, no, off'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL="loud": expected one of fatal, error, warn, info, debug, trace, silent'],
    ['PROTOCOL_VERSION', 'HTTP/2', 'PROTOCOL_VERSION="HTTP/2": expected one of HTTP/1.0, HTTP/1.1'],
    ['HOST', 'not a host', 'HOST="not a host": expected an IPv4 or IPv6 address or a host name (e.g. 0.0.0.0, ::, 127.0.0.1, localhost)'],
    ['ERROR_LOG_FILE', 'a\nb', 'ERROR_LOG_FILE="a\\nb": expected a file path without control characters'],
  ])('refuses %s=%j with one line naming it, the value and the accepted form', (name, raw, line) => {
    expect(problems({ [name]: raw })).toEqual([line]);
  });

  it('checks settings against each other', () => {
    expect(problems({ PORT: '9000', METRICS_PORT: '9000' })).toEqual(['METRICS_PORT="9000": expected a port other than PORT (9000), or 0']);
    expect(problems({ PORT: '0', METRICS_PORT: '0' })).toEqual([]);
    expect(problems({ HEADERS_TIMEOUT_MS: '400000' })).toEqual(['HEADERS_TIMEOUT_MS="400000": expected at most REQUEST_TIMEOUT_MS (300000)']);
  });

  it('lists every problem, one line each', () => {
    expect(problems({ PORT: 'x', LOG_LEVEL: 'y', ACCESS_LOG: 'z' })).toHaveLength(3);
  });

  it('cuts a long bad value in its line', () => {
    const [line] = problems({ HOST: 'x'.repeat(500) + ' y' });
    expect(line!.length).toBeLessThan(250);
  });
});

describe('config faults stop the built entry point with exit 78', () => {
  it.each([
    ['not an integer', { PORT: 'eighty' }, 'config error: PORT="eighty": expected an integer from 0 to 65535'],
    ['out of range', { METRICS_PORT: '70000' }, 'config error: METRICS_PORT="70000": expected an integer from 0 to 65535'],
    ['a bad boolean', { ACCESS_LOG: 'sometimes' }, 'config error: ACCESS_LOG="sometimes": expected one of true, 1, yes, on, false, 0, no, off'],
    ['a bad enum', { LOG_LEVEL: 'verbose' }, 'config error: LOG_LEVEL="verbose": expected one of fatal, error, warn, info, debug, trace, silent'],
    ['a bad host', { HOST: 'bad host!' }, 'config error: HOST="bad host!": expected an IPv4 or IPv6 address or a host name'],
    ['clashing ports', { PORT: '8123', METRICS_PORT: '8123' }, 'config error: METRICS_PORT="8123": expected a port other than PORT (8123), or 0'],
  ])('%s', (_kind, env, line) => {
    const r = runMain({ PORT: '0', METRICS_PORT: '0', ...env });
    expect(r.status).toBe(CONFIG_EXIT_CODE);
    expect(r.stderr).toContain(line);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe(''); // no startup line: nothing was bound
  });

  it('prints one line per problem', () => {
    const r = runMain({ PORT: 'x', HEADERS_TIMEOUT_MS: '-5', PROTOCOL_VERSION: 'HTTP/3' });
    expect(r.status).toBe(CONFIG_EXIT_CODE);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.startsWith('config error: '))).toBe(true);
    expect(lines.map((l) => l.split('=')[0])).toEqual(['config error: PORT', 'config error: HEADERS_TIMEOUT_MS', 'config error: PROTOCOL_VERSION']);
  });

  it('an ERROR_LOG_FILE that cannot be opened', () => {
    const r = runMain({ PORT: '0', METRICS_PORT: '0', ERROR_LOG_FILE: '/nonexistent-dir/errors.log' });
    expect(r.status).toBe(CONFIG_EXIT_CODE);
    expect(r.stderr).toMatch(
      /^config error: ERROR_LOG_FILE="\/nonexistent-dir\/errors.log": cannot be opened for appending \(E[A-Z]+\); expected a writable file path\n$/,
    );
    expect(r.stdout).toBe('');
  });
});
