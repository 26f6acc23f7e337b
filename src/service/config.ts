/**
 * The service's configuration: one zod schema over `process.env`, validated once at startup,
 * before anything binds (Node core's rule: options validated once, in one place, units in names).
 *
 * Every variable is optional; an unset or empty (whitespace-only) value takes the default (the
 * server settings' defaults are the library's: `DEFAULT_LIMITS`, `SERVER_DEFAULTS`).
 * A bad value is reported as one line per problem that names the variable, the value and the
 * accepted form; `main.ts` prints those lines and exits with {@link CONFIG_EXIT_CODE}.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { DEFAULT_LIMITS } from '../http/limits.js';
import { SERVER_DEFAULTS } from '../socketserver/settings.js';
import { availableCores } from './cluster-cores.js';

/** `EX_CONFIG` from BSD's sysexits.h: "something was found in an unconfigured or misconfigured state". */
export const CONFIG_EXIT_CODE = 78;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const PROTOCOL_VERSIONS = ['HTTP/1.0', 'HTTP/1.1'] as const;
export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number];

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);
const DAY_MS = 86_400_000;

/** One variable: its default and accepted form, for the README table and for error lines. */
export interface SettingDoc {
  readonly name: string;
  readonly default: string;
  readonly accepted: string;
  readonly description: string;
}

/** An unset or blank value means "use the default". */
function blank(raw: string | undefined): raw is undefined {
  return raw === undefined || raw.trim() === '';
}

type Ctx = z.core.$RefinementCtx<string | undefined>;

function fail(ctx: Ctx, accepted: string): never {
  ctx.addIssue({ code: 'custom', message: accepted });
  return z.NEVER;
}

/** A decimal integer in `[min, max]`: digits only, no sign, exponent, fraction or separators. */
function int(min: number, max: number, dflt: number) {
  const accepted = `an integer from ${min} to ${max}`;
  return z
    .string()
    .optional()
    .transform((raw, ctx): number => {
      if (blank(raw)) return dflt;
      const text = raw.trim();
      if (!/^\d{1,16}$/.test(text)) return fail(ctx, accepted);
      const value = Number(text);
      return value >= min && value <= max ? value : fail(ctx, accepted);
    });
}

/** Like {@link int}, with `unlimited` meaning `Infinity`. */
function limit(min: number, max: number, dflt: number) {
  const accepted = `an integer from ${min} to ${max}, or "unlimited"`;
  return z
    .string()
    .optional()
    .transform((raw, ctx): number => {
      if (blank(raw)) return dflt;
      if (raw.trim().toLowerCase() === 'unlimited') return Infinity;
      const text = raw.trim();
      if (!/^\d{1,16}$/.test(text)) return fail(ctx, accepted);
      const value = Number(text);
      return value >= min && value <= max ? value : fail(ctx, accepted);
    });
}

function bool(dflt: boolean) {
  const accepted = 'one of true, 1, yes, on, false, 0, no, off';
  return z
    .string()
    .optional()
    .transform((raw, ctx): boolean => {
      if (blank(raw)) return dflt;
      const word = raw.trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      return fail(ctx, accepted);
    });
}

function oneOf<const T extends readonly string[]>(values: T, dflt: T[number], caseless: boolean) {
  const accepted = `one of ${values.join(', ')}`;
  return z
    .string()
    .optional()
    .transform((raw, ctx): T[number] => {
      if (blank(raw)) return dflt;
      const text = caseless ? raw.trim().toLowerCase() : raw.trim();
      const found = values.find((v) => (caseless ? v.toLowerCase() : v) === text);
      return found ?? fail(ctx, accepted);
    });
}

/** `WORKERS`: an integer from 1 to 64, or `auto` (the cores this container may use, at most 64). */
function workers() {
  const accepted = 'an integer from 1 to 64, or "auto"';
  return z
    .string()
    .optional()
    .transform((raw, ctx): number => {
      if (blank(raw)) return 1;
      const text = raw.trim();
      if (text.toLowerCase() === 'auto') return Math.min(64, availableCores());
      if (!/^\d{1,16}$/.test(text)) return fail(ctx, accepted);
      const value = Number(text);
      return value >= 1 && value <= 64 ? value : fail(ctx, accepted);
    });
}

/** An IP address (v4 or v6, brackets allowed) or a DNS host name. */
function host(dflt: string) {
  const accepted = 'an IPv4 or IPv6 address or a host name (e.g. 0.0.0.0, ::, 127.0.0.1, localhost)';
  const hostname = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
  return z
    .string()
    .optional()
    .transform((raw, ctx): string => {
      if (blank(raw)) return dflt;
      let text = raw.trim();
      if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
      return isIP(text) !== 0 || hostname.test(text) ? text : fail(ctx, accepted);
    });
}

/** Free text without control characters; empty means "not set". */
function text(accepted: string) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): string | null => {
      if (blank(raw)) return null;
      // eslint-disable-next-line no-control-regex
      return /[\u0000-\u001f\u007f]/.test(raw) ? fail(ctx, accepted) : raw.trim();
    });
}

/** The schema. Keys are the environment variables; values are parsed, typed settings. */
export const configSchema = z
  .object({
    HOST: host('0.0.0.0'),
    PORT: int(0, 65_535, 8000),
    METRICS_PORT: int(0, 65_535, 9464),
    LOG_LEVEL: oneOf(LOG_LEVELS, 'info', true),
    SHUTDOWN_TIMEOUT_MS: int(1, DAY_MS, SERVER_DEFAULTS.shutdownTimeoutMs),
    READINESS_DELAY_MS: int(0, DAY_MS, 0),
    HANDLER_MODULE: text('a module path (./handler.js, /abs/handler.js) or a package name, without control characters'),
    HEADERS_TIMEOUT_MS: int(1, DAY_MS, DEFAULT_LIMITS.headersTimeoutMs),
    KEEP_ALIVE_TIMEOUT_MS: int(1, DAY_MS, DEFAULT_LIMITS.keepAliveTimeoutMs),
    REQUEST_TIMEOUT_MS: int(1, DAY_MS, DEFAULT_LIMITS.requestTimeoutMs),
    MAX_BODY_BYTES: int(0, Number.MAX_SAFE_INTEGER, DEFAULT_LIMITS.maxBodyBytes),
    MAX_CONNECTIONS: limit(1, 10_000_000, DEFAULT_LIMITS.maxConnections),
    MAX_HEADERS: int(1, 10_000, DEFAULT_LIMITS.maxHeaders),
    MAX_HEADER_LINE_BYTES: int(256, 16_777_216, DEFAULT_LIMITS.maxHeaderLineBytes),
    LISTEN_BACKLOG: int(1, 65_535, SERVER_DEFAULTS.requestQueueSize),
    ACCESS_LOG: bool(true),
    ACCESS_LOG_PROBES: bool(false),
    ERROR_LOG_FILE: text('a file path without control characters'),
    PROTOCOL_VERSION: oneOf(PROTOCOL_VERSIONS, 'HTTP/1.1', false),
    WORKERS: workers(),
    TRACEPARENT_RESPONSE: bool(false),
    TLS_CERT: text('a file path without control characters'),
    TLS_KEY: text('a file path without control characters'),
    TLS_PASSWORD_FILE: text('a file path without control characters'),
  })
  .superRefine((c, ctx) => {
    if (c.PORT !== 0 && c.PORT === c.METRICS_PORT) {
      ctx.addIssue({ code: 'custom', path: ['METRICS_PORT'], message: `a port other than PORT (${c.PORT}), or 0` });
    }
    for (const name of ['TLS_KEY', 'TLS_PASSWORD_FILE'] as const) {
      if (c[name] !== null && c.TLS_CERT === null) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'TLS_CERT to be set too (the certificate the key belongs to)' });
      }
    }
    if (c.HEADERS_TIMEOUT_MS > c.REQUEST_TIMEOUT_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['HEADERS_TIMEOUT_MS'],
        message: `at most REQUEST_TIMEOUT_MS (${c.REQUEST_TIMEOUT_MS})`,
      });
    }
  });

/** The parsed configuration. */
export type Config = z.output<typeof configSchema>;

/** The README's config table, in schema order. */
export const SETTINGS: readonly SettingDoc[] = [
  { name: 'HOST', default: '0.0.0.0', accepted: 'IPv4/IPv6 address or host name', description: 'Address both listeners bind to.' },
  { name: 'PORT', default: '8000', accepted: '0–65535 (0: any free port)', description: 'Port of the app handler.' },
  { name: 'METRICS_PORT', default: '9464', accepted: '0–65535, ≠ PORT', description: 'Port of `/metrics`, `/healthz`, `/readyz`.' },
  { name: 'LOG_LEVEL', default: 'info', accepted: LOG_LEVELS.join(', '), description: 'Lowest level written; access records are `info`.' },
  {
    name: 'SHUTDOWN_TIMEOUT_MS',
    default: String(SERVER_DEFAULTS.shutdownTimeoutMs),
    accepted: `1–${DAY_MS}`,
    description: 'How long draining may take before the remaining connections are cut (exit 1).',
  },
  { name: 'READINESS_DELAY_MS', default: '0', accepted: `0–${DAY_MS}`, description: 'After the first signal, `/readyz` answers 503 this long before draining starts.' },
  {
    name: 'HANDLER_MODULE',
    default: '(example handler)',
    accepted: 'module path or package name',
    description: 'Module whose default export is the handler class to serve.',
  },
  {
    name: 'HEADERS_TIMEOUT_MS',
    default: String(DEFAULT_LIMITS.headersTimeoutMs),
    accepted: '1–REQUEST_TIMEOUT_MS',
    description: 'The whole request head must arrive within this (408).',
  },
  {
    name: 'KEEP_ALIVE_TIMEOUT_MS',
    default: String(DEFAULT_LIMITS.keepAliveTimeoutMs),
    accepted: `1–${DAY_MS}`,
    description: 'Idle time allowed between requests on a kept-alive connection.',
  },
  {
    name: 'REQUEST_TIMEOUT_MS',
    default: String(DEFAULT_LIMITS.requestTimeoutMs),
    accepted: `1–${DAY_MS}`,
    description: 'Receiving one whole request (head and body) from its first byte.',
  },
  { name: 'MAX_BODY_BYTES', default: String(DEFAULT_LIMITS.maxBodyBytes), accepted: '0–2^53−1', description: 'Largest request body (413 above it).' },
  {
    name: 'MAX_CONNECTIONS',
    default: DEFAULT_LIMITS.maxConnections === Infinity ? 'unlimited' : String(DEFAULT_LIMITS.maxConnections),
    accepted: '1–10000000 or `unlimited`',
    description: 'Open connections per listener; beyond it new ones get 503.',
  },
  { name: 'MAX_HEADERS', default: String(DEFAULT_LIMITS.maxHeaders), accepted: '1–10000', description: 'Header fields per request (431 above it).' },
  {
    name: 'MAX_HEADER_LINE_BYTES',
    default: String(DEFAULT_LIMITS.maxHeaderLineBytes),
    accepted: '256–16777216',
    description: 'Longest request line or header line (414 / 431).',
  },
  {
    name: 'LISTEN_BACKLOG',
    default: String(SERVER_DEFAULTS.requestQueueSize),
    accepted: '1–65535',
    description: "Listen queue of each listener (node:http's default; Python's 5 stalls bursts of connections). The kernel caps it at `net.core.somaxconn`.",
  },
  { name: 'ACCESS_LOG', default: 'true', accepted: 'true/1/yes/on, false/0/no/off', description: 'One access record per request on stdout.' },
  { name: 'ACCESS_LOG_PROBES', default: 'false', accepted: 'boolean, as above', description: 'Also log requests to the metrics listener (`/metrics`, probes).' },
  {
    name: 'ERROR_LOG_FILE',
    default: '(stderr)',
    accepted: 'file path',
    description: 'Error records go to this file (appended; created if missing, in an existing directory).',
  },
  {
    name: 'PROTOCOL_VERSION',
    default: 'HTTP/1.1',
    accepted: PROTOCOL_VERSIONS.join(', '),
    description: "Protocol of both listeners' handlers (HTTP/1.0 closes after each response); overrides the handler class's own.",
  },
  {
    name: 'WORKERS',
    default: '1',
    accepted: '1–64 or `auto`',
    description:
      'App processes (`node:cluster` workers sharing the app port; 1: no cluster). `auto`: the cores the container may use (CPU affinity capped by the cgroup CPU quota).',
  },
  {
    name: 'TRACEPARENT_RESPONSE',
    default: 'false',
    accepted: 'boolean, as above',
    description: "Send `traceparent` (the request's trace id and span id) in each response, so a client can find the request's records.",
  },
  {
    name: 'TLS_CERT',
    default: '(none: plain HTTP)',
    accepted: 'file path',
    description: 'PEM certificate chain: the app listener serves HTTPS (ALPN http/1.1). The metrics listener stays plain HTTP.',
  },
  { name: 'TLS_KEY', default: '(the key in TLS_CERT)', accepted: 'file path', description: 'PEM private key of `TLS_CERT`.' },
  {
    name: 'TLS_PASSWORD_FILE',
    default: '(key not encrypted)',
    accepted: 'file path',
    description: 'File holding the passphrase of an encrypted key (surrounding whitespace ignored).',
  },
];

/** A value as shown in an error line: quoted and escaped, cut at 80 characters. */
function show(raw: unknown): string {
  const value = typeof raw === 'string' ? raw : String(raw);
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/**
 * Parses the environment. Never throws; a failure lists one line per problem, e.g.
 * `PORT="80a": expected an integer from 0 to 65535`.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ConfigResult {
  const result = configSchema.safeParse(env);
  if (result.success) return { ok: true, config: result.data };
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '?');
    return `${name}=${show(env[name])}: expected ${issue.message}`;
  });
  return { ok: false, problems };
}
