import { type ParsedResponse, parseResponses } from '../harness/response.js';
import { sendRaw } from '../harness/client.js';

/** What one connection got back: the parsed responses and how it ended. */
export interface RouteExchange {
  readonly responses: ParsedResponse[];
  readonly ending: string;
  /** Bytes after the last complete response. */
  readonly rest: string;
}

/**
 * Sends raw request bytes on one connection and parses every response. The last request should
 * say `Connection: close`, so that the exchange ends when the server closes. `heads` lists the
 * indexes of responses to HEAD requests (no body).
 */
export async function exchange(port: number, bytes: string | Buffer, heads: readonly number[] = []): Promise<RouteExchange> {
  const r = await sendRaw(port, bytes, { timeoutMs: 5_000 });
  const { responses, rest } = parseResponses(r.data, { isHead: (i) => heads.includes(i) });
  return { responses, ending: r.ending, rest: rest.toString('latin1') };
}

/** A request's bytes: `GET /x` plus headers; `close` adds `Connection: close`. */
export function req(line: string, { headers = {}, body, close = false }: { headers?: Record<string, string>; body?: string | Buffer; close?: boolean } = {}): string {
  let head = `${line} HTTP/1.1\r\nHost: t\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  if (body !== undefined) head += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
  if (close) head += 'Connection: close\r\n';
  return `${head}\r\n${body === undefined ? '' : Buffer.from(body).toString('latin1')}`;
}

/** The JSON body of a response. */
export function json(r: ParsedResponse): unknown {
  return JSON.parse(r.body.toString('utf8'));
}
