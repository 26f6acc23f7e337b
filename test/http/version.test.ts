import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { BaseHTTPRequestHandler, version } from '../../src/index.js';

test('the exported version is package.json version, and serverVersion carries it', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  expect(version).toBe(pkg.version);
  // Constructing a handler starts nothing (the server calls setup/handle/finish), so no socket is needed.
  const h = new BaseHTTPRequestHandler(null as never, ['', 0], null as never);
  expect(h.serverVersion).toBe(`BaseHTTP/${pkg.version}`);
  expect(h.sysVersion).toBe(`Node.js/${process.version}`);
  expect(h.versionString()).toBe(`BaseHTTP/${pkg.version} Node.js/${process.version}`);
});
