import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from '../harness/client.js';
import { type ServiceChild, startService } from '../fixtures/service/child.js';

// examples/custom-handler: its TypeScript handler compiled as the Dockerfile's build stage does
// (tsc -p, `basehttp` resolving to the enclosing package: here this repository's dist/), then
// served by the built entry point through HANDLER_MODULE; and its plain JavaScript handler.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
const EXAMPLE = 'examples/custom-handler';
const json = { 'Content-Type': 'application/json' };

let child: ServiceChild | null = null;
afterEach(async () => {
  await child?.stop();
  child = null;
});

describe('examples/custom-handler', () => {
  it('compiles the TypeScript handler under strict and serves it', async () => {
    const r = spawnSync(process.execPath, [TSC, '-p', `${EXAMPLE}/tsconfig.json`], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
    expect(existsSync(`${ROOT}${EXAMPLE}/dist/greeting-handler.js`)).toBe(true);

    child = await startService({ HANDLER_MODULE: `./${EXAMPLE}/dist/greeting-handler.js` });
    expect(child.stdout[0]!.handler).toBe('GreetingHandler');
    const q = await request(child.appPort, 'GET', '/hello?name=docker');
    expect([q.status, JSON.parse(q.body.toString())]).toEqual([200, { greeting: 'hello, docker' }]);
    expect(JSON.parse((await request(child.appPort, 'GET', '/hello')).body.toString())).toEqual({ greeting: 'hello, world' });
    expect(JSON.parse((await request(child.appPort, 'GET', '/hello/J%C3%BCrgen')).body.toString())).toEqual({ greeting: 'hello, Jürgen' });
    const made = await request(child.appPort, 'POST', '/greetings', json, '{"name":"Ana","language":"fr"}');
    expect([made.status, JSON.parse(made.body.toString())]).toEqual([201, { greeting: 'bonjour, Ana' }]);
    expect((await request(child.appPort, 'POST', '/greetings', json, '{"name":"Ana","language":"xx"}')).status).toBe(422);
    const missing = await request(child.appPort, 'GET', '/elsewhere');
    expect([missing.status, missing.headers['content-type']]).toEqual([404, 'application/problem+json']);
  });

  it('serves the plain JavaScript handler', async () => {
    child = await startService({ HANDLER_MODULE: `./${EXAMPLE}/notes-handler.js` });
    const made = await request(child.appPort, 'POST', '/notes', json, '{"text":"buy milk"}');
    expect([made.status, JSON.parse(made.body.toString())]).toEqual([201, { id: '1', text: 'buy milk' }]);
    expect(JSON.parse((await request(child.appPort, 'GET', '/notes/1')).body.toString())).toEqual({ id: '1', text: 'buy milk' });
    expect(JSON.parse((await request(child.appPort, 'GET', '/notes')).body.toString())).toEqual({ notes: [{ id: '1', text: 'buy milk' }] });
    const none = await request(child.appPort, 'GET', '/notes/9');
    expect([none.status, JSON.parse(none.body.toString()).detail]).toEqual([404, 'no note 9']);
    expect((await request(child.appPort, 'POST', '/notes', json, '{"text":""}')).status).toBe(422);
  });
});
