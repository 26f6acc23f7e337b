import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, test } from 'vitest';

// The layer rule lives in eslint.config.mjs: src/socketserver and src/http import only node:
// built-ins and the library, never src/service, pino, prom-client or zod; src/socketserver does not
// import src/http. These cases run the project's own config through ESLint's Node API on snippets
// placed (virtually) in each layer, so a config that stops refusing them fails here. Type
// information is switched off for the snippets: they are not files of the TypeScript project,
// and the layer rule does not need it.

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root, overrideConfig: { files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked } });

async function lint(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

const refused: Array<[file: string, code: string]> = [
  ['src/http/x.ts', "import pino from 'pino';\nexport const a = pino;\n"],
  ['src/http/x.ts', "import { Registry } from 'prom-client';\nexport const a = Registry;\n"],
  ['src/http/x.ts', "import { z } from 'zod';\nexport const a = z;\n"],
  ['src/http/x.ts', "import { z } from 'zod/v4';\nexport const a = z;\n"],
  ['src/http/x.ts', "import { loadConfig } from '../service/config.js';\nexport const a = loadConfig;\n"],
  ['src/http/x.ts', "import type { Config } from '../service/config.js';\nexport type A = Config;\n"],
  ['src/http/x.ts', "export { MetricsHandler } from '../service/metrics-handler.js';\n"],
  ['src/http/x.ts', "export * from '../index.js';\n"],
  ['src/http/x.ts', "export const a = await import('../service/config.js');\n"],
  ['src/http/x.ts', "export type P = typeof import('prom-client');\n"],
  ['src/http/x.ts', "import fs from 'fs';\nexport const a = fs;\n"],
  ['src/http/x.ts', "import { x } from '../../test/helpers/server.js';\nexport const a = x;\n"],
  ['src/http/nested/x.ts', "import { loadConfig } from '../../service/config.js';\nexport const a = loadConfig;\n"],
  ['src/socketserver/x.ts', "import pino from 'pino';\nexport const a = pino;\n"],
  ['src/socketserver/x.ts', "import { HTTPServer } from '../http/http-server.js';\nexport const a = HTTPServer;\n"],
  ['src/socketserver/x.ts', "import { ServiceServer } from '../service/service-server.js';\nexport const a = ServiceServer;\n"],
];

const allowed: Array<[file: string, code: string]> = [
  [
    'src/http/x.ts',
    "import { createServer } from 'node:net';\nimport { TCPServer } from '../socketserver/tcp-server.js';\nimport { htmlEscape } from './text.js';\nexport const a = [createServer, TCPServer, htmlEscape];\n",
  ],
  [
    'src/http/nested/x.ts',
    "import { HTTPServer } from '../http-server.js';\nimport { TCPServer } from '../../socketserver/tcp-server.js';\nexport const a = [HTTPServer, TCPServer];\n",
  ],
  ['src/socketserver/x.ts', "import { Socket } from 'node:net';\nimport { BaseServer } from './base-server.js';\nexport const a = [Socket, BaseServer];\n"],
  [
    'src/service/x.ts',
    "import pino from 'pino';\nimport { z } from 'zod';\nimport { HTTPServer } from '../http/http-server.js';\nexport const a = [pino, z, HTTPServer];\n",
  ],
];

describe('the layer rule (eslint.config.mjs)', () => {
  test.each(refused)('%s: refuses %j', async (file, code) => {
    const messages = await lint(file, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^no-restricted-(imports|syntax): .*src\/(http|socketserver)/);
  });

  test.each(allowed)('%s: allows %j', async (file, code) => {
    expect(await lint(file, code)).toEqual([]);
  });
});
