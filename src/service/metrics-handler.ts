/**
 * `MetricsHandler`: serves a Prometheus registry and the two probes on a listener of their own.
 *
 * Imports no runtime code from prom-client: any object with prom-client's `Registry` shape
 * (`contentType` and `metrics()`) can be served.
 */
import { BaseHTTPRequestHandler } from '../http/request-handler.js';

/** What `MetricsHandler` needs of a registry (prom-client's `Registry` has it). */
export interface MetricsSource {
  /** The exposition format's content type, e.g. `text/plain; version=0.0.4; charset=utf-8`. */
  readonly contentType: string;
  /** The exposition text. */
  metrics(): Promise<string>;
  /**
   * Optional: the OpenMetrics 1.0 exposition (with exemplars), served with
   * {@link OPENMETRICS_CONTENT_TYPE} to a scraper that prefers it (`Accept`).
   */
  openMetrics?(): Promise<string>;
}

/** The content type of `openMetrics()`'s text: prom-client's `Registry.OPENMETRICS_CONTENT_TYPE`, written out so that this file loads no prom-client code (test/service/exemplars.test.ts checks they agree). */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/**
 * True when `accept` prefers OpenMetrics (1.0.0, 0.0.1 or no version) to the plain text format:
 * its `q` is above 0 and at least that of `text/plain` (or `text/*`, `*\/*`). Prometheus asks
 * `application/openmetrics-text;version=1.0.0,…;q=0.75,text/plain;version=0.0.4;q=0.5,*\/*;q=0.1`;
 * curl's `*\/*` and no header at all get the plain text format.
 */
export function prefersOpenMetrics(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  let om = 0;
  let text = 0;
  for (const range of accept.split(',')) {
    const params = range.split(';');
    const type = params[0]!.trim().toLowerCase();
    let q = 1;
    let version: string | null = null;
    for (let i = 1; i < params.length; i++) {
      const eq = params[i]!.indexOf('=');
      const name = params[i]!.slice(0, eq).trim().toLowerCase();
      const value = params[i]!.slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
      if (name === 'q') q = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(value) ? Number(value) : 0;
      else if (name === 'version') version = value;
    }
    if (type === 'application/openmetrics-text') {
      if (version === null || version === '1.0.0' || version === '0.0.1') om = Math.max(om, q);
    } else if (type === 'text/plain' || type === 'text/*' || type === '*/*') {
      text = Math.max(text, q);
    }
  }
  return om > 0 && om >= text;
}

const OK = Buffer.from('ok\n');
const READY = Buffer.from('ready\n');
const NOT_READY = Buffer.from('shutting down\n');

/**
 * A request handler for the metrics listener:
 * - `GET`/`HEAD /metrics`: the registry's exposition text with the registry's content type, or its
 *   OpenMetrics text when it has `openMetrics()` and the scraper prefers that (`Vary: Accept`);
 * - `GET`/`HEAD /healthz`: 200 while the process lives (liveness);
 * - `GET`/`HEAD /readyz`: 200 while `isReady()`, else 503 (readiness: 503 from the moment shutdown begins);
 * - any other path: 404; other methods: 501 (no `do_X`).
 * A query string is ignored.
 *
 * - Class fields that may be overridden: `registry` (null: `/metrics` answers 404),
 *   `metricsPath` ('/metrics'), `healthPath` ('/healthz'), `readinessPath` ('/readyz').
 * - May be overridden: `isReady()` (default: the server is not shutting down).
 *
 * ```ts
 * class Metrics extends MetricsHandler { override registry = myRegistry; }
 * new HTTPServer(['0.0.0.0', 9464], Metrics);
 * ```
 */
export class MetricsHandler extends BaseHTTPRequestHandler {
  /** The registry served at `metricsPath`. */
  registry: MetricsSource | null = null;
  metricsPath = '/metrics';
  healthPath = '/healthz';
  readinessPath = '/readyz';

  /** True while the service should receive traffic. May be overridden. */
  isReady(): boolean {
    return !this.server.isShuttingDown;
  }

  do_GET(): void | Promise<void> {
    return this.#serve(true);
  }

  do_HEAD(): void | Promise<void> {
    return this.#serve(false);
  }

  #serve(withBody: boolean): void | Promise<void> {
    const q = this.path.indexOf('?');
    const path = q === -1 ? this.path : this.path.slice(0, q);
    if (path === this.metricsPath && this.registry !== null) {
      const registry = this.registry;
      if (registry.openMetrics === undefined) {
        return registry.metrics().then((text) => this.#send(200, registry.contentType, Buffer.from(text, 'utf8'), withBody));
      }
      const om = prefersOpenMetrics(this.headers.get('accept'));
      return (om ? registry.openMetrics() : registry.metrics()).then((text) =>
        this.#send(200, om ? OPENMETRICS_CONTENT_TYPE : registry.contentType, Buffer.from(text, 'utf8'), withBody, true),
      );
    }
    if (path === this.healthPath) return this.#send(200, 'text/plain; charset=utf-8', OK, withBody);
    if (path === this.readinessPath) {
      const ready = this.isReady();
      return this.#send(ready ? 200 : 503, 'text/plain; charset=utf-8', ready ? READY : NOT_READY, withBody);
    }
    this.sendError(404);
  }

  #send(code: number, contentType: string, body: Buffer, withBody: boolean, negotiated = false): void {
    this.sendResponse(code);
    this.sendHeader('Content-Type', contentType);
    this.sendHeader('Content-Length', body.length);
    this.sendHeader('Cache-Control', 'no-store');
    if (negotiated) this.sendHeader('Vary', 'Accept');
    this.endHeaders();
    if (withBody) this.wfile.write(body);
  }
}
