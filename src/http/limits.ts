import type { SocketServerSettings, SettingRules } from '../socketserver/settings.js';
import { TIMER_MAX_MS } from '../socketserver/settings.js';
import type { SweptConnection } from './http-server.js';

/**
 * The HTTP server's limits and timeouts: one type, one table of defaults, one table of accepted
 * ranges. `HTTPServer`'s fields start from {@link DEFAULT_LIMITS}, the request handler reads them
 * from its server (or the defaults, on a server that is not an `HTTPServer`), the head scanner and
 * the TLS listener take the parts they need, and the service maps its environment onto them.
 */
export interface HTTPLimits {
  /**
   * The whole request head must arrive within it, measured from its first byte, else 408 and
   * close. Default 30 000 ms. (Timeouts fire up to a sweep period late: see `HTTPServer`.)
   */
  headersTimeoutMs: number;
  /** Idle time allowed before a request (a new connection's first too), then a silent close. Default 5 000 ms. */
  keepAliveTimeoutMs: number;
  /** A handler still waiting for body bytes this long after the head gets 408. Default 300 000 ms. */
  requestTimeoutMs: number;
  /**
   * Largest request body: a declared length over it is refused with 413 before dispatch, and it is
   * `readBody()`'s default limit (413 above it). Default 1 MiB (1 048 576).
   */
  maxBodyBytes: number;
  /** Open connections beyond it get a canned 503 and are closed. Default `Infinity`. */
  maxConnections: number;
  /** Longest request line, its LF counted (as CPython's `readline(65537)`): 414 above it. Default 65 536. */
  maxRequestLineBytes: number;
  /** Longest header (or chunked trailer) line: 431 above it. Default 65 536. */
  maxHeaderLineBytes: number;
  /** Header lines counting the blank one, as CPython: 431 above it (100: 99 fields pass). Also the limit on trailer fields. Default 100. */
  maxHeaders: number;
}

/** The defaults of {@link HTTPLimits}: the only place they are written down. */
export const DEFAULT_LIMITS: Readonly<HTTPLimits> = Object.freeze({
  headersTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  requestTimeoutMs: 300_000,
  maxBodyBytes: 1_048_576,
  maxConnections: Infinity,
  maxRequestLineBytes: 65_536,
  maxHeaderLineBytes: 65_536,
  maxHeaders: 100,
});

/**
 * What each limit accepts (checked once, when the server binds: `HTTPServer.validateSettings()`).
 * Timeouts are capped at node's longest timer; `maxHeaders` at 65 536, as a connection whose head
 * has more than 13 lines gets a line table of `maxHeaders + 3` entries.
 */
export const LIMIT_RULES: SettingRules<keyof HTTPLimits> = {
  headersTimeoutMs: { min: 1, max: TIMER_MAX_MS, integer: false, unit: 'milliseconds' },
  keepAliveTimeoutMs: { min: 1, max: TIMER_MAX_MS, integer: false, unit: 'milliseconds' },
  requestTimeoutMs: { min: 1, max: TIMER_MAX_MS, integer: false, unit: 'milliseconds' },
  maxBodyBytes: { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true, unit: 'bytes' },
  maxConnections: { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true, unit: '', unlimited: true },
  maxRequestLineBytes: { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true, unit: 'bytes' },
  maxHeaderLineBytes: { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true, unit: 'bytes' },
  maxHeaders: { min: 1, max: 65_536, integer: true, unit: '' },
};

/**
 * `HTTPServer`'s constructor options: any of its limits and of the socketserver settings. They
 * override the class's defaults; a subclass's class field is assigned after the base constructor
 * (JavaScript's order), so it overrides an option for the same setting; an assignment after
 * construction overrides both. Whatever the instance holds when it binds is validated then.
 */
export interface HTTPServerOptions extends Partial<HTTPLimits>, Partial<SocketServerSettings> {}

/** What a request handler reads from its server: the limits, the shutdown flag and, on an `HTTPServer`, its connection tracking. */
export interface HandlerLimits extends Readonly<HTTPLimits> {
  readonly isShuttingDown: boolean;
  track?(connection: SweptConnection): void;
  untrack?(connection: SweptConnection): void;
}

/** The limits of a handler served by a server that is not an `HTTPServer`: the defaults, no timeouts sweep. */
export const DEFAULT_HANDLER_LIMITS: HandlerLimits = Object.freeze({ ...DEFAULT_LIMITS, isShuttingDown: false });

/**
 * The limits a handler serves under: its server's when it is an `HTTPServer` (read live, so a
 * value assigned later applies to later requests), else {@link DEFAULT_LIMITS}.
 */
export function limitsOf(server: object): HandlerLimits {
  return typeof (server as Partial<HTTPLimits>).maxHeaders === 'number' ? (server as HandlerLimits) : DEFAULT_HANDLER_LIMITS;
}
