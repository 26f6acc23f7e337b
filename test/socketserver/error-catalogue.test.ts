import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { FAULTS } from '../../src/http/header-parser.js';
import { ERROR_CODES, REJECT_REASONS } from '../../src/socketserver/error-catalogue.js';

// The catalogue (src/socketserver/error-catalogue.ts) is the one list of error codes and reject
// reasons. TypeScript already refuses a code or a reason outside its unions wherever one is
// constructed or assigned (`new BaseHTTPError(code…)`, `rejectReason`, `#refuse`, `fault`,
// `RequestStats.reject`); these tests cover what the types cannot: a code spelt as a plain string
// (a comparison), a catalogue entry nothing uses, a canned fault nothing uses, a status that
// differs from the catalogue's, and docs/errors.md drifting from the catalogue. They read the
// sources with TypeScript's parser (no type checking): string literals only, so comments and
// TSDoc that mention a code do not count as uses.

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const CATALOGUE = join(SRC, 'socketserver', 'error-catalogue.ts');
const DOC = fileURLToPath(new URL('../../docs/errors.md', import.meta.url));

/** Codes Node gives its own errors, which src/ compares against and never raises. */
const NODE_CODES = new Set([
  'ERR_OSSL_BAD_DECRYPT',
  'ERR_OSSL_X509_KEY_VALUES_MISMATCH',
  'ERR_PARSE_ARGS_UNKNOWN_OPTION',
  'ERR_MODULE_NOT_FOUND',
  'ERR_UNSUPPORTED_DIR_IMPORT',
]);

/** Methods whose first argument is an event name (`socket.on('timeout')`), never a reject reason. */
const EVENT_METHODS = new Set(['on', 'once', 'off', 'emit', 'addListener', 'removeListener', 'prependListener', 'prependOnceListener']);

interface Literal {
  readonly text: string;
  readonly where: string;
  /** The first argument of `x.on(...)` and the like. */
  readonly eventName: boolean;
}

interface Scan {
  readonly literals: Literal[];
  /** `FAULTS.name` references outside the table's own definition. */
  readonly faultUses: Set<string>;
  /** `new BaseHTTPError('ERR_…', message, status?)` with a literal code: the status given (null: none). */
  readonly statuses: Array<{ code: string; status: number | null; where: string }>;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

function scanSources(): Scan {
  const scan: Scan = { literals: [], faultUses: new Set(), statuses: [] };
  for (const file of tsFiles(SRC)) {
    if (file === CATALOGUE) continue;
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const where = (node: ts.Node): string => `${relative(SRC, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const visit = (node: ts.Node): void => {
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
        const call = node.parent;
        const eventName =
          ts.isCallExpression(call) && call.arguments[0] === node && ts.isPropertyAccessExpression(call.expression) && EVENT_METHODS.has(call.expression.name.text);
        scan.literals.push({ text: node.text, where: where(node), eventName });
      } else if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'FAULTS') {
        scan.faultUses.add(node.name.text);
      } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'BaseHTTPError') {
        const [code, , status] = node.arguments ?? [];
        if (code !== undefined && ts.isStringLiteral(code)) {
          const given = status === undefined || (ts.isIdentifier(status) && status.text === 'undefined') ? null : ts.isNumericLiteral(status) ? Number(status.text) : NaN;
          scan.statuses.push({ code: code.text, status: given, where: where(node) });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return scan;
}

const scan = scanSources();

/** docs/errors.md's tables, rendered from the catalogue. */
function renderTables(): { codes: string; reasons: string } {
  const cell = (s: string): string => s.replaceAll('|', '\\|');
  const codes = Object.entries(ERROR_CODES).map(([code, e]) => `| \`${code}\` | ${e.status ?? ''} | ${cell(e.when)} |`);
  const reasons = Object.entries(REJECT_REASONS).map(([reason, e]) => `| \`${reason}\` | ${e.status ?? ''} | ${cell(e.when)} |`);
  return {
    codes: ['| Code | Status | When |', '|---|---|---|', ...codes].join('\n'),
    reasons: ['| Reason | Status | When |', '|---|---|---|', ...reasons].join('\n'),
  };
}

/** Where a table sits in docs/errors.md: between its two markers (null: markers missing). */
function region(text: string, name: string): { from: number; to: number } | null {
  const begin = `<!-- catalogue:${name}:begin -->`;
  const a = text.indexOf(begin);
  const b = text.indexOf(`<!-- catalogue:${name}:end -->`);
  return a === -1 || b < a ? null : { from: a + begin.length, to: b };
}

function between(text: string, name: string): string | null {
  const r = region(text, name);
  return r === null ? null : text.slice(r.from, r.to).trim();
}

describe('error catalogue', () => {
  test('every ERR_ code in src/ is in the catalogue (or is one of Node’s own, compared against)', () => {
    const unknown = scan.literals.filter((l) => /^ERR_[A-Z0-9_]+$/.test(l.text) && !Object.hasOwn(ERROR_CODES, l.text) && !NODE_CODES.has(l.text));
    expect(unknown.map((l) => `${l.text} at ${l.where}`)).toEqual([]);
  });

  test('every catalogued code is used in src/', () => {
    const used = new Set(scan.literals.map((l) => l.text));
    expect(Object.keys(ERROR_CODES).filter((code) => !used.has(code))).toEqual([]);
  });

  test('every catalogued reject reason is used in src/ (event names do not count)', () => {
    const used = new Set(scan.literals.filter((l) => !l.eventName).map((l) => l.text));
    expect(Object.keys(REJECT_REASONS).filter((reason) => !used.has(reason))).toEqual([]);
  });

  test('every canned head fault (FAULTS) is used', () => {
    expect(Object.keys(FAULTS).filter((name) => !scan.faultUses.has(name))).toEqual([]);
  });

  test('a BaseHTTPError built with a literal code carries the catalogue’s status', () => {
    expect(scan.statuses.length).toBeGreaterThan(10);
    const wrong = scan.statuses.filter(({ code, status }) => ERROR_CODES[code as keyof typeof ERROR_CODES]?.status !== status);
    expect(wrong.map((w) => `${w.code} with status ${w.status} at ${w.where}`)).toEqual([]);
  });

  test('docs/errors.md shows the catalogue (UPDATE_ERRORS_DOC=1 rewrites its tables)', () => {
    const doc = readFileSync(DOC, 'utf8');
    const want = renderTables();
    if (process.env.UPDATE_ERRORS_DOC === '1') {
      let text = doc;
      for (const name of ['codes', 'reasons'] as const) {
        const r = region(text, name);
        expect(r, `docs/errors.md has no ${name} markers`).not.toBeNull();
        text = `${text.slice(0, r!.from)}\n${want[name]}\n${text.slice(r!.to)}`;
      }
      writeFileSync(DOC, text);
      return;
    }
    expect(between(doc, 'codes'), 'docs/errors.md: run UPDATE_ERRORS_DOC=1 npx vitest run test/socketserver/error-catalogue.test.ts').toBe(want.codes);
    expect(between(doc, 'reasons'), 'docs/errors.md: run UPDATE_ERRORS_DOC=1 npx vitest run test/socketserver/error-catalogue.test.ts').toBe(want.reasons);
  });
});
