import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Loaders for the public corpora (llhttp, Http11Probe, h2o; MIT). A copy is kept in
 * `test/fixtures/public-corpora/` so that a fresh clone runs these tests anywhere; the workplace's
 * `../shared/corpora` (same files) is used when present. See the README there for the formats.
 */
const SHARED = fileURLToPath(new URL('../../../shared/corpora/', import.meta.url));
const VENDORED = fileURLToPath(new URL('../fixtures/public-corpora/', import.meta.url));
export const CORPORA_DIR = existsSync(SHARED) ? SHARED : VENDORED;

export function corporaPresent(): boolean {
  return existsSync(CORPORA_DIR);
}

export interface LlhttpCase {
  readonly id: string;
  readonly mode: string;
  readonly strict: boolean;
  readonly wire_testable: boolean;
  readonly lacks_host: boolean;
  readonly raw_b64: string;
  readonly expect: {
    readonly outcome: 'ok' | 'error' | 'incomplete' | 'upgrade';
    readonly complete_messages?: number;
    readonly error?: { readonly name: string; readonly reason: string };
  };
}

export interface ProbeCase {
  readonly id: string;
  readonly kind: 'single' | 'sequence';
  readonly rfc_level: string;
  readonly rfc_reference: string;
  readonly description: string;
  readonly expected: {
    readonly description: string | null;
    readonly status: string | null;
    readonly allow_close: boolean;
  };
  readonly raw_b64?: string | null;
  readonly steps?: ReadonlyArray<{ readonly raw_b64?: string | null }>;
}

export interface H2oInput {
  readonly name: string;
  readonly segments_b64: readonly string[];
}

function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(`${CORPORA_DIR}${name}`, 'utf8')) as T;
}

export function loadLlhttp(): LlhttpCase[] {
  return readJson<{ cases: LlhttpCase[] }>('llhttp-requests.json').cases;
}

export function loadProbe(): ProbeCase[] {
  return readJson<{ cases: ProbeCase[] }>('http11probe-cases.json').cases;
}

export function loadH2o(): H2oInput[] {
  const lines = readFileSync(`${CORPORA_DIR}h2o-http1-corpus.jsonl`, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  // The first line is the header describing the source and format.
  return lines.slice(1).map((l) => JSON.parse(l) as H2oInput);
}

/** The writes a probe case makes (one per step), or null when a step is built by code. */
export function probeWrites(c: ProbeCase): Buffer[] | null {
  if (c.kind === 'single') return typeof c.raw_b64 === 'string' ? [Buffer.from(c.raw_b64, 'base64')] : null;
  const steps = c.steps ?? [];
  if (steps.length === 0 || steps.some((s) => typeof s.raw_b64 !== 'string')) return null;
  return steps.map((s) => Buffer.from(s.raw_b64!, 'base64'));
}
