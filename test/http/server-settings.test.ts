import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { BaseHTTPError, DEFAULT_LIMITS, HTTPServer, HTTPSServer, SERVER_DEFAULTS, TCPServer, type HTTPServerOptions } from '../../src/index.js';
import { loadConfig } from '../../src/service/config.js';
import { serverSettings } from '../../src/service/service.js';
import { sendRaw } from '../harness/client.js';
import { Echo } from '../helpers/echo-handler.js';

// Issue 15 item 2: server settings (the HTTP limits and timeouts, and BaseServer's and TCPServer's
// own) come from the class, a subclass's class field, the constructor's options, or an assignment
// before the server binds; whatever the instance holds is validated once, when it binds, and a
// bad value rejects `ready` with ERR_INVALID_SETTING naming the setting and where it came from.

const ADDRESS = ['127.0.0.1', 0] as const;
let servers: TCPServer[] = [];
afterEach(async () => {
  for (const s of servers) {
    await s.shutdown();
    s.serverClose();
  }
  servers = [];
});

function keep<S extends TCPServer>(server: S): S {
  servers.push(server);
  return server;
}

/** `ready`'s rejection (fails the test when it resolves). */
async function refusal(server: TCPServer): Promise<BaseHTTPError> {
  keep(server);
  const e: unknown = await server.ready.then(
    () => null,
    (err: unknown) => err,
  );
  expect(BaseHTTPError.is(e), `ready resolved or rejected with something else: ${String(e)}`).toBe(true);
  return e as BaseHTTPError;
}

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return null;
}

/** Serves `server` and returns the status codes of the raw `request`'s answer. */
async function answer(server: HTTPServer, request: string): Promise<string> {
  keep(server);
  await server.ready;
  void server.serveForever();
  const { text } = await sendRaw(server.serverAddress[1], request);
  return text.split('\r\n')[0] ?? '';
}

const LONG_LINE = `GET /${'a'.repeat(100)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
const BIG_BODY = 'POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 50\r\n\r\n' + 'x'.repeat(50);

describe('where a setting comes from', () => {
  test('the defaults are the one table’s', () => {
    const s = new HTTPServer(ADDRESS, Echo, false);
    for (const [name, value] of Object.entries({ ...DEFAULT_LIMITS, ...SERVER_DEFAULTS })) expect((s as unknown as Record<string, unknown>)[name], name).toBe(value);
    expect(new HTTPServer(ADDRESS, Echo, false, { maxHeaders: undefined }).maxHeaders).toBe(DEFAULT_LIMITS.maxHeaders); // undefined: absent
  });

  test('README.md, docs/security.md and docs/python-mapping.md show the tables’ defaults', () => {
    const defaults: Record<string, unknown> = { ...DEFAULT_LIMITS, ...SERVER_DEFAULTS };
    delete defaults.timeout; // the handler's `timeout` has rows of its own
    for (const [file, complete] of [
      ['README.md', true],
      ['docs/security.md', true],
      ['docs/python-mapping.md', false],
    ] as const) {
      const text = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
      for (const [name, value] of Object.entries(defaults)) {
        const row = new RegExp(`^\\| \`${name}\`[^|]*\\| ([^|]+) \\|`, 'm').exec(text);
        if (row === null) {
          expect(complete, `${file} has no row for ${name}`).toBe(false);
          continue;
        }
        expect(row[1]!.replace(/[`_\s]/g, ''), `${file}: ${name}`).toBe(String(value));
      }
    }
  });

  test('a constructor option applies (in place of bindAndActivate, or after it)', async () => {
    expect(new HTTPServer(ADDRESS, Echo, false, { maxHeaders: 7, lingerMs: 5 })).toMatchObject({ maxHeaders: 7, lingerMs: 5 });
    expect(await answer(new HTTPServer(ADDRESS, Echo, { maxRequestLineBytes: 64 }), LONG_LINE)).toBe('HTTP/1.1 414 URI Too Long');
  });

  test('an assignment after construction, before the bind, applies and overrides the option', async () => {
    const s = new HTTPServer(ADDRESS, Echo, { maxBodyBytes: 10 });
    s.maxBodyBytes = 100;
    expect(await answer(s, BIG_BODY)).toBe('HTTP/1.1 200 OK');
    const t = new HTTPServer(ADDRESS, Echo);
    t.maxBodyBytes = 10;
    expect(await answer(t, BIG_BODY)).toBe('HTTP/1.1 413 Content Too Large');
  });

  test('a subclass’s class field applies, over an option for the same setting; an assignment overrides it', async () => {
    class Small extends HTTPServer {
      override maxBodyBytes = 10;
    }
    const s = new Small(ADDRESS, Echo, { maxBodyBytes: 100, maxRequestLineBytes: 64 });
    expect(s.maxBodyBytes).toBe(10);
    expect(await answer(s, BIG_BODY)).toBe('HTTP/1.1 413 Content Too Large');
    expect(await answer(new Small(ADDRESS, Echo, { maxRequestLineBytes: 64 }), LONG_LINE)).toBe('HTTP/1.1 414 URI Too Long');
    const t = new Small(ADDRESS, Echo);
    t.maxBodyBytes = 100;
    expect(await answer(t, BIG_BODY)).toBe('HTTP/1.1 200 OK');
  });

  test('HTTPSServer takes the limits among its options (and its own names are not unknown options)', () => {
    const s = new HTTPSServer(ADDRESS, Echo, false, { certfile: '/nonexistent.pem', maxHeaders: 9 });
    expect(s.maxHeaders).toBe(9);
    expect(() => s.validateSettings()).not.toThrow();
  });
});

describe('validated once, when the server binds', () => {
  test('a bad constructor option rejects ready, names the setting and its source, and nothing listens', async () => {
    const s = new HTTPServer(ADDRESS, Echo, { maxBodyBytes: -1 });
    const e = await refusal(s);
    expect(e.code).toBe('ERR_INVALID_SETTING');
    expect(e.message).toBe('HTTPServer.maxBodyBytes = -1 (a constructor option): expected an integer from 0 to 9007199254740991 (bytes)');
    expect(s.socket).toBeNull();
  });

  test('a bad class field of a subclass rejects ready, naming the class and the setting', async () => {
    class Eager extends HTTPServer {
      override keepAliveTimeoutMs = 0;
    }
    const e = await refusal(new Eager(ADDRESS, Echo));
    expect(e.code).toBe('ERR_INVALID_SETTING');
    expect(e.message).toBe('Eager.keepAliveTimeoutMs = 0 (a class field or an assignment): expected a number from 1 to 2147483647 (milliseconds)');
  });

  test('a bad value assigned after construction over a good option is reported as an assignment', async () => {
    const s = new HTTPServer(ADDRESS, Echo, { headersTimeoutMs: 1000 });
    s.headersTimeoutMs = Number.NaN;
    expect((await refusal(s)).message).toMatch(/^HTTPServer\.headersTimeoutMs = NaN \(a class field or an assignment\)/);
  });

  test('a TCPServer validates its own settings too', async () => {
    const s = new TCPServer(ADDRESS, Echo);
    s.requestQueueSize = 1.5;
    expect((await refusal(s)).message).toBe('TCPServer.requestQueueSize = 1.5 (a class field or an assignment): expected an integer from 0 to 2147483647');
  });

  test('bindAndActivate = false: serverBind() validates', async () => {
    const s = keep(new HTTPServer(ADDRESS, Echo, false, { lingerMs: -5 }));
    await expect(s.serverBind()).rejects.toMatchObject({
      code: 'ERR_INVALID_SETTING',
      message: expect.stringContaining('HTTPServer.lingerMs = -5 (a constructor option)'),
    });
  });

  test('an unknown option is refused (a misspelling is not ignored)', async () => {
    const e = await refusal(new HTTPServer(ADDRESS, Echo, { maxBodyByte: 10 } as HTTPServerOptions));
    expect(e.message).toBe('HTTPServer: unknown option "maxBodyByte"');
  });

  const bad: Array<[keyof HTTPServerOptions, unknown]> = [
    ['headersTimeoutMs', 2 ** 31],
    ['keepAliveTimeoutMs', Infinity],
    ['requestTimeoutMs', '300000'],
    ['maxBodyBytes', 1.5],
    ['maxConnections', -1],
    ['maxRequestLineBytes', 0],
    ['maxHeaderLineBytes', null],
    ['maxHeaders', 65_537],
    ['shutdownTimeoutMs', -1],
    ['lingerMs', {}],
    ['requestQueueSize', 10n],
    ['timeout', -0.5],
  ];
  test.each(bad)('%s = %s is refused', (name, value) => {
    const s = new HTTPServer(ADDRESS, Echo, false, { [name]: value } as HTTPServerOptions);
    expect(thrown(() => s.validateSettings())).toMatchObject({ code: 'ERR_INVALID_SETTING', message: expect.stringContaining(`HTTPServer.${name} = `) });
  });

  test('the edges of each range are accepted: Infinity connections, no timeout, the longest timer', () => {
    const s = new HTTPServer(ADDRESS, Echo, false, {
      maxConnections: Infinity,
      timeout: null,
      headersTimeoutMs: 2 ** 31 - 1,
      maxHeaders: 65_536,
      maxBodyBytes: 0,
      shutdownTimeoutMs: 0,
      lingerMs: 0,
    });
    expect(() => s.validateSettings()).not.toThrow();
    s.timeout = 2.5;
    expect(() => s.validateSettings()).not.toThrow();
  });

  test('every value the service config accepts is one the library accepts (its smallest and largest)', () => {
    const DAY = '86400000';
    const ranges = [
      {
        HEADERS_TIMEOUT_MS: '1',
        KEEP_ALIVE_TIMEOUT_MS: '1',
        REQUEST_TIMEOUT_MS: '1',
        SHUTDOWN_TIMEOUT_MS: '1',
        MAX_BODY_BYTES: '0',
        MAX_CONNECTIONS: '1',
        MAX_HEADERS: '1',
        MAX_HEADER_LINE_BYTES: '256',
        LISTEN_BACKLOG: '1',
      },
      {
        HEADERS_TIMEOUT_MS: DAY,
        KEEP_ALIVE_TIMEOUT_MS: DAY,
        REQUEST_TIMEOUT_MS: DAY,
        SHUTDOWN_TIMEOUT_MS: DAY,
        MAX_BODY_BYTES: String(Number.MAX_SAFE_INTEGER),
        MAX_CONNECTIONS: 'unlimited',
        MAX_HEADERS: '10000',
        MAX_HEADER_LINE_BYTES: '16777216',
        LISTEN_BACKLOG: '65535',
      },
      {},
    ];
    for (const env of ranges) {
      const r = loadConfig(env);
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (!r.ok) continue;
      const s = new HTTPServer(ADDRESS, Echo, false, serverSettings(r.config));
      expect(() => s.validateSettings()).not.toThrow();
    }
  });
});
