import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

// Issue 12 item 4: the README promises Node 20 or later, so `npm ci` on Node 20 must not warn that
// a package wants a newer engine (kubernetes-models 5 and cookie 2 did: five EBADENGINE warnings).
// `npm ci --dry-run` resolves the lock file exactly as `npm ci` does, prints the same engine
// warnings, and changes nothing on disk.

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('install', () => {
  test('package.json declares Node 20 or later, and this run is on such a Node', () => {
    const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe('>=20');
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(20);
  });

  test('npm ci prints no EBADENGINE warning on this Node', () => {
    const r = spawnSync('npm', ['ci', '--dry-run', '--no-audit', '--no-fund'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    const out = `${r.stdout}${r.stderr}`;
    expect(r.status, out).toBe(0);
    const packages = [...out.matchAll(/package: '([^']+)'/g)].map((m) => m[1]);
    expect(packages, 'packages whose engines exclude this Node').toEqual([]);
    expect(out).not.toContain('EBADENGINE');
  }, 130_000);
});
