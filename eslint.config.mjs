// ESLint flat config (`npm run lint`). Correctness rules only: layout is Prettier's job
// (prettier.config.mjs). Each rule turned off or tuned says why; test/lint-rules.test.ts proves the
// layer rule can fail.
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** What the service layer alone may import (GUIDE: the library imports only `node:` modules). */
const SERVICE_PACKAGES = ['pino', 'pino/*', 'prom-client', 'prom-client/*', 'zod', 'zod/*'];

/**
 * The layer rule for the files `depth` folders below `src/` in `src/<layer>/`: the library
 * (`src/socketserver`, `src/http`) imports `node:` built-ins and its own modules, never the service
 * layer (`src/service`, or `src/index.ts` and `src/main.ts`, which reach it), pino, prom-client or
 * zod; `src/socketserver` does not import `src/http` either. `no-restricted-imports` sees import
 * and export-from declarations, `import type` included; `no-restricted-syntax` adds `import()` and
 * `typeof import()`.
 */
function layerRule(layer, depth) {
  const toSrc = '\\.\\./'.repeat(depth);
  const beyond = layer === 'socketserver' ? 'service|http|index|main' : 'service|index|main';
  const notNode = '^(?!node:|\\.)';
  const otherLayer = `^${toSrc}(?:${beyond})(?:[./]|$)`;
  const outsideSrc = `^${toSrc}\\.\\./`;
  const library = `src/${layer} is the library layer`;
  return {
    files: [`src/${layer}/${'*/'.repeat(depth - 1)}*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: SERVICE_PACKAGES, message: `${library}: pino, prom-client and zod belong to src/service.` },
            {
              regex: otherLayer,
              message:
                layer === 'socketserver'
                  ? 'src/socketserver imports only node: built-ins and itself (not src/http, src/service, src/index.ts or src/main.ts).'
                  : 'src/http imports only node: built-ins, src/socketserver and itself (not src/service, src/index.ts or src/main.ts).',
            },
            { regex: outsideSrc, message: `${library}: it imports nothing outside src/.` },
            { regex: `${notNode}(?!(?:pino|prom-client|zod)(?:/|$))`, message: `${library}: it imports only node: built-ins.` },
          ],
        },
      ],
      // The same bounds for `import()` and `typeof import()` (an esquery regex cannot hold '/': \x2F).
      'no-restricted-syntax': [
        'error',
        ...['ImportExpression', 'TSImportType'].map((node) => ({
          selector: `${node} > Literal.source[value=/${[notNode, otherLayer, outsideSrc].join('|').replaceAll('/', '\\x2F')}/]`,
          message: `${library}: import() reaches only node: built-ins and the library.`,
        })),
      ],
    },
  };
}

export default defineConfig(
  {
    ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'bench/out/**', 'test/fixtures/public-corpora/**', 'examples/**/dist/**', 'examples/**/node_modules/**'],
  },
  // A disable comment that no longer silences anything is itself an error: stale ones hide nothing.
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      // `_name` marks a parameter kept for the signature (CPython's hooks, `serveForever(_pollInterval)`)
      // or a field destructured away; `catch {}` needs no binding at all.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // `any` only with an eslint-disable comment saying why (GUIDE). Rest arguments excepted:
      // TypeScript requires `new (...args: any[]) => T` for mixin and handler-class constructor types (TS2545).
      '@typescript-eslint/no-explicit-any': ['error', { ignoreRestArgs: true }],
      // A class declared inside a method reaches its creator through a named alias (`const service = this`).
      '@typescript-eslint/no-this-alias': 'off',
      // Best-effort cleanup (`try { dest.flushSync(); } catch {}` on exit) may fail silently.
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    // The promise rules tsc cannot check, on the library and service (type-aware, src/ only: it
    // roughly doubles a lint run, about 5 s to 12 s on this 2-core machine).
    files: ['src/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: fileURLToPath(new URL('.', import.meta.url)) } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // The protocol layer matches control bytes on purpose (RFC 9110 field values, CTL checks).
    files: ['src/http/**/*.ts'],
    rules: { 'no-control-regex': 'off' },
  },
  // The layer rule for files up to four folders deep (src/http/x.ts … src/http/a/b/c/x.ts).
  ['socketserver', 'http'].flatMap((layer) => [1, 2, 3, 4].map((depth) => layerRule(layer, depth))),
  {
    // Micro-benchmarks write results into a `sink` that is never read, so the work is not optimised away.
    files: ['bench/**/*.mjs'],
    rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^(_|sink$)', ignoreRestSiblings: true }] },
  },
  {
    // Type-level tests: values exist to be inspected with `typeof`, and `{}` is the expected type of an empty parameter set.
    files: ['test/types/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-vars': 'off', '@typescript-eslint/no-empty-object-type': 'off' },
  },
);
