import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_EXIT_CODE } from '../../src/service/config.js';
import { handlerModuleUrl, isHandlerClass } from '../../src/service/handler-module.js';
import { BaseHTTPRequestHandler } from '../../src/http/request-handler.js';
import { request } from '../harness/client.js';
import { runMain, type ServiceChild, startService } from '../fixtures/service/child.js';

const FIX = 'test/fixtures/service';

describe('HANDLER_MODULE resolution', () => {
  it('resolves paths against the working directory and leaves package names alone', () => {
    expect(handlerModuleUrl('./h.js', '/app')).toBe('file:///app/h.js');
    expect(handlerModuleUrl('../x/h.mjs', '/app/sub')).toBe('file:///app/x/h.mjs');
    expect(handlerModuleUrl('/opt/h.js', '/app')).toBe('file:///opt/h.js');
    expect(handlerModuleUrl('my-handlers', '/app')).toBe('my-handlers');
    expect(handlerModuleUrl('@org/h/api', '/app')).toBe('@org/h/api');
  });

  it('recognises handler classes, also from another copy of the library', () => {
    class Mine extends BaseHTTPRequestHandler {}
    expect(isHandlerClass(Mine)).toBe(true);
    expect(isHandlerClass(BaseHTTPRequestHandler)).toBe(true);
    class Lookalike {
      setup(): void {}
      parseRequest(): boolean {
        return true;
      }
      handleOneRequest(): void {}
      sendResponse(): void {}
    }
    expect(isHandlerClass(Lookalike)).toBe(true);
    expect(isHandlerClass(class {})).toBe(false);
    expect(isHandlerClass({})).toBe(false);
    expect(isHandlerClass(() => {})).toBe(false);
  });
});

describe('HANDLER_MODULE in the built entry point', () => {
  let child: ServiceChild | null = null;
  afterEach(async () => {
    await child?.stop();
    child = null;
  });

  it('serves the module’s default export instead of the example handler', async () => {
    child = await startService({ HANDLER_MODULE: `./${FIX}/test-handler.mjs` });
    const startup = child.stdout[0]!;
    expect(startup.handler).toBe('TestHandler');
    expect(startup.msg).toContain('(TestHandler)');
    const r = await request(child.appPort, 'GET', '/ok');
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('ok\n');
    expect((await request(child.appPort, 'GET', '/')).status).toBe(404); // the example's route is gone
    const metrics = (await request(child.metricsPort, 'GET', '/metrics')).body.toString();
    expect(metrics).toMatch(/http_request_duration_seconds_count\{method="GET",status_code="200",handler="TestHandler",route="unrouted"\} 1/);
  });

  it('still calls a handler’s own logRequest after the access record', async () => {
    child = await startService({ HANDLER_MODULE: `./${FIX}/own-log-handler.mjs` });
    const r = await request(child.appPort, 'GET', '/x');
    expect(r.status).toBe(204);
    const own = await child.waitFor((x) => typeof x.msg === 'string' && x.msg.startsWith('own logRequest'));
    expect(own.msg).toMatch(/^own logRequest 204 \d+$/);
    expect(own.requestId).toBe(r.headers['x-request-id']);
    expect(child.access()).toHaveLength(1);
    expect(child.stdout.indexOf(child.access()[0]!)).toBeLessThan(child.stdout.indexOf(own));
  });

  it('accepts an absolute path', async () => {
    child = await startService({ HANDLER_MODULE: new URL('../fixtures/service/test-handler.mjs', import.meta.url).pathname });
    expect((await request(child.appPort, 'GET', '/ok')).status).toBe(200);
  });

  it.each([
    [
      'a missing module',
      `./${FIX}/does-not-exist.mjs`,
      /^config error: HANDLER_MODULE="\.\/test\/fixtures\/service\/does-not-exist\.mjs": the module cannot be found: Error: Cannot find module '.*does-not-exist\.mjs'/,
    ],
    [
      'a missing package',
      'no-such-handler-package',
      /^config error: HANDLER_MODULE="no-such-handler-package": the module cannot be found: Error: Cannot find package 'no-such-handler-package'/,
    ],
    [
      'no default export',
      `./${FIX}/no-default.mjs`,
      /^config error: HANDLER_MODULE=".*no-default\.mjs": the module has no default export; expected `export default class MyHandler extends BaseHTTPRequestHandler \{ … \}`$/,
    ],
    [
      'an object',
      `./${FIX}/not-a-class.mjs`,
      /^config error: HANDLER_MODULE=".*not-a-class\.mjs": the default export is an object \(\[object Object\]\); expected a class that extends BaseHTTPRequestHandler$/,
    ],
    [
      'an unrelated class',
      `./${FIX}/unrelated-class.mjs`,
      /^config error: HANDLER_MODULE=".*unrelated-class\.mjs": the default export is a function or class not derived from BaseHTTPRequestHandler \(Unrelated\); expected a class that extends BaseHTTPRequestHandler$/,
    ],
    [
      'a module that throws',
      `./${FIX}/throws-on-import.mjs`,
      /^config error: HANDLER_MODULE=".*throws-on-import\.mjs": the module failed to load: Error: cannot start: missing settings$/,
    ],
    [
      'a route table naming a missing method',
      `./${FIX}/broken-routes.mjs`,
      /^config error: HANDLER_MODULE=".*broken-routes\.mjs": the handler class is not usable \(ERR_ROUTE_METHOD_MISSING\): BrokenRoutes\.routes\['GET \/users\/:id'\]: names the method 'getUser', which BrokenRoutes does not define$/,
    ],
  ])('%s exits 78 with one clear line', (_kind, spec, line) => {
    const r = runMain({ PORT: '0', METRICS_PORT: '0', HANDLER_MODULE: spec });
    expect(r.status).toBe(CONFIG_EXIT_CODE);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(line);
    expect(r.stdout).toBe('');
  });
});
