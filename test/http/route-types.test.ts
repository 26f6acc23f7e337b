import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));

/** Runs tsc on a project of test/types (against dist/*.d.ts, built by `npm test`'s pretest). */
function tsc(project: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [TSC, '-p', project], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('route typings (tsc, strict)', () => {
  it('type params from patterns and query/body from schemas; every @ts-expect-error line is an error', () => {
    const r = tsc('test/types/tsconfig.json');
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  it('accept the API.md example as written', () => {
    const r = tsc('test/types/tsconfig.example.json');
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });
});
