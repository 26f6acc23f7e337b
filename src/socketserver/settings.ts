import { BaseHTTPError } from './errors.js';

/**
 * Server settings: the socketserver layer's defaults table, and the one check that every server
 * setting goes through, once, when the server binds (`BaseServer.serverBind()` calls the
 * server's `validateSettings()`). `src/http/limits.ts` adds the HTTP limits the same way.
 *
 * A setting is a plain instance field: its value is whatever the instance holds when the server
 * binds, whether it came from the class (a default, or a subclass's class field), from the
 * constructor's options (`HTTPServer`), or from an assignment after construction (binding waits
 * one microtask, so an assignment right after `new` is seen).
 */

/** Node's longest timer delay, 2^31 − 1 ms (about 24.8 days): a longer one fires after 1 ms. */
export const TIMER_MAX_MS = 2_147_483_647;

/** The settings of `BaseServer` and `TCPServer`. */
export interface SocketServerSettings {
  /** Seconds `handleRequest()` waits for a connection before `handleTimeout()`; `null`: no limit. */
  timeout: number | null;
  /** Milliseconds `shutdown()` lets open connections finish before it destroys them. */
  shutdownTimeoutMs: number;
  /** Milliseconds a closing connection may still drain what the peer sends before it is reset. */
  lingerMs: number;
  /** `TCPServer`'s listen backlog (the kernel caps it at `net.core.somaxconn`). */
  requestQueueSize: number;
}

/**
 * The defaults of {@link SocketServerSettings}, the only place they are written down (the classes'
 * fields start from them, the service's config falls back on them):
 * `timeout` null, `shutdownTimeoutMs` 10 000, `lingerMs` 2 000, `requestQueueSize` 511
 * (node:http's; Python's 5 drops bursts of connections: see `TCPServer`).
 */
export const SERVER_DEFAULTS: Readonly<SocketServerSettings> = Object.freeze({
  timeout: null,
  shutdownTimeoutMs: 10_000,
  lingerMs: 2_000,
  requestQueueSize: 511,
});

/** What a numeric setting accepts. */
export interface SettingRule {
  readonly min: number;
  readonly max: number;
  /** Whole numbers only. */
  readonly integer: boolean;
  /** The unit, for the error message (`milliseconds`, `seconds`, `bytes`); empty for a count. */
  readonly unit: string;
  /** `Infinity` accepted too (no limit). */
  readonly unlimited?: boolean;
  /** `null` accepted too (no limit). */
  readonly nullable?: boolean;
}

/** Setting name → rule. */
export type SettingRules<K extends string = string> = Readonly<Record<K, SettingRule>>;

/** The rules of {@link SocketServerSettings} (`requestQueueSize` is checked on servers that have it: `TCPServer`). */
export const SERVER_RULES: SettingRules<keyof SocketServerSettings> = {
  timeout: { min: 0, max: TIMER_MAX_MS / 1000, integer: false, unit: 'seconds', nullable: true },
  shutdownTimeoutMs: { min: 0, max: TIMER_MAX_MS, integer: false, unit: 'milliseconds' },
  lingerMs: { min: 0, max: TIMER_MAX_MS, integer: false, unit: 'milliseconds' },
  requestQueueSize: { min: 0, max: 2_147_483_647, integer: true, unit: '' },
};

/** The options object each server was constructed with, to name a bad value's source. */
const givenOptions = new WeakMap<object, Readonly<Record<string, unknown>>>();

/**
 * Assigns the settings among `options` that `rules` knows to `server` (the constructor's options:
 * they override the class's defaults; an `undefined` one is absent, as in node's options) and
 * remembers `options` for {@link checkSettings}'s messages and {@link checkOptionNames}.
 */
export function applyOptions(server: object, options: object, rules: readonly SettingRules[]): void {
  const given = options as Readonly<Record<string, unknown>>;
  givenOptions.set(server, given);
  const target = server as Record<string, unknown>;
  for (const name of Object.keys(given)) {
    if (given[name] !== undefined && rules.some((r) => Object.hasOwn(r, name))) target[name] = given[name];
  }
}

/**
 * Throws `ERR_INVALID_SETTING` for the first setting of `rules` that `server` holds and that is
 * out of range. The message names the class, the setting, the value, where the value came from
 * (the constructor's options, or a class field or an assignment) and what is accepted.
 */
export function checkSettings(server: object, rules: SettingRules): void {
  const values = server as Record<string, unknown>;
  for (const name of Object.keys(rules)) {
    if (!(name in server)) continue;
    const rule = rules[name]!;
    const value = values[name];
    if (accepts(rule, value)) continue;
    const options = givenOptions.get(server);
    const source = options !== undefined && Object.hasOwn(options, name) && Object.is(options[name], value) ? 'a constructor option' : 'a class field or an assignment';
    throw new BaseHTTPError('ERR_INVALID_SETTING', `${className(server)}.${name} = ${show(value)} (${source}): expected ${describe(rule)}`);
  }
}

/**
 * Throws `ERR_INVALID_SETTING` for a constructor option that is neither a setting of `rules` nor
 * a property of `server` (a misspelt `maxBodyByte` would otherwise be ignored without a word).
 */
export function checkOptionNames(server: object, rules: readonly SettingRules[]): void {
  const options = givenOptions.get(server);
  if (options === undefined) return;
  for (const name of Object.keys(options)) {
    if (!rules.some((r) => Object.hasOwn(r, name)) && !(name in server)) {
      throw new BaseHTTPError('ERR_INVALID_SETTING', `${className(server)}: unknown option ${JSON.stringify(name)}`);
    }
  }
}

function accepts(rule: SettingRule, value: unknown): boolean {
  if (value === null) return rule.nullable === true;
  if (typeof value !== 'number' || Number.isNaN(value)) return false;
  if (value === Infinity) return rule.unlimited === true;
  if (rule.integer && !Number.isInteger(value)) return false;
  return value >= rule.min && value <= rule.max;
}

function describe(rule: SettingRule): string {
  let text = rule.integer ? `an integer from ${rule.min} to ${rule.max}` : `a number from ${rule.min} to ${rule.max}`;
  if (rule.unit !== '') text += ` (${rule.unit})`;
  if (rule.unlimited === true) text += ', or Infinity';
  if (rule.nullable === true) text += ', or null';
  return text;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  try {
    return String(value);
  } catch {
    return typeof value; // an object without a prototype has no toString
  }
}

function className(server: object): string {
  return server.constructor.name || 'server';
}
