/**
 * Loading `HANDLER_MODULE`: a module whose default export is the handler class to serve.
 *
 * A path (`./handler.js`, `../x/h.mjs`, `/app/handler.js`) is resolved against the working
 * directory; anything else (`my-handlers`, `@org/handlers/api`, `file:///…`) is imported as a
 * specifier, resolved from this package (its `node_modules`). The module runs in this process,
 * with this process's `basehttp`: `import { BaseHTTPRequestHandler } from 'basehttp'` in it
 * resolves to the same classes when it lives inside this package (Node's self-reference) or
 * when `basehttp` is installed beside it.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BaseHTTPRequestHandler } from '../http/request-handler.js';
import type { HandlerClass } from './service-handler.js';

export type LoadResult = { ok: true; handler: HandlerClass; url: string } | { ok: false; problem: string };

/** True for a specifier that names a file rather than a package. */
function isPath(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..' || isAbsolute(spec);
}

/** The specifier `import()` gets for `spec`. */
export function handlerModuleUrl(spec: string, cwd: string = process.cwd()): string {
  return isPath(spec) ? pathToFileURL(resolve(cwd, spec)).href : spec;
}

/** A short description of a value that is not a handler class, for the error line. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return `a function or class not derived from BaseHTTPRequestHandler (${value.name || 'anonymous'})`;
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value)})`;
  return `a ${typeof value}`;
}

/**
 * True for `BaseHTTPRequestHandler` and its subclasses, also those built on another copy of
 * this library (checked by shape then: the methods the server calls).
 */
export function isHandlerClass(value: unknown): value is HandlerClass {
  if (typeof value !== 'function') return false;
  if (value === BaseHTTPRequestHandler || value.prototype instanceof BaseHTTPRequestHandler) return true;
  const proto = (value as { prototype?: Record<string, unknown> }).prototype;
  return (
    proto !== undefined &&
    typeof proto.handleOneRequest === 'function' &&
    typeof proto.parseRequest === 'function' &&
    typeof proto.sendResponse === 'function' &&
    typeof proto.setup === 'function'
  );
}

/**
 * Imports `spec`, checks its default export, and lets the class check itself (its static
 * `prepare()`: a `RouteHandler`'s route table). Never throws; a failure is one line for stderr.
 */
export async function loadHandlerModule(spec: string, cwd: string = process.cwd()): Promise<LoadResult> {
  const url = handlerModuleUrl(spec, cwd);
  const shown = `HANDLER_MODULE=${JSON.stringify(spec)}`;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const first = String(err?.message ?? err).split('\n', 1)[0];
    const what = err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'ERR_UNSUPPORTED_DIR_IMPORT' ? 'cannot be found' : 'failed to load';
    return { ok: false, problem: `${shown}: the module ${what}: ${err?.name ?? 'Error'}: ${first}` };
  }
  if (!('default' in mod) || mod.default === undefined) {
    return {
      ok: false,
      problem: `${shown}: the module has no default export; expected \`export default class MyHandler extends BaseHTTPRequestHandler { … }\``,
    };
  }
  if (!isHandlerClass(mod.default)) {
    return {
      ok: false,
      problem: `${shown}: the default export is ${describe(mod.default)}; expected a class that extends BaseHTTPRequestHandler`,
    };
  }
  // The class checks itself (a RouteHandler compiles its route table): a fault stops the
  // service here, before anything binds, like any other bad HANDLER_MODULE.
  try {
    (mod.default as { prepare?: () => void }).prepare?.();
  } catch (e) {
    const err = e as { code?: unknown; message?: unknown };
    const code = typeof err?.code === 'string' ? ` (${err.code})` : '';
    return { ok: false, problem: `${shown}: the handler class is not usable${code}: ${String(err?.message ?? e)}` };
  }
  return { ok: true, handler: mod.default, url };
}
