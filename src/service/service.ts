/**
 * Assembles the service from its parts: the app listener serving the user's handler, the
 * metrics listener serving `MetricsHandler`, both wrapped for logs and metrics, and the
 * lifecycle that drains them on a signal. `main.ts` calls this after the config, the handler
 * module and the log streams were checked.
 */
import type { Config } from './config.js';
import { Lifecycle } from './lifecycle.js';
import type { Logs } from './logger.js';
import { listenerContext, metricsListener, processIds } from './metrics-listener.js';
import { ServiceMetrics } from './metrics.js';
import type { Tracing } from './otel.js';
import { type HandlerClass, type HandlerContext, serviceHandler } from './service-handler.js';
import { type ServerSettings, ServiceServer } from './service-server.js';
import { tlsOptions } from './tls-config.js';

/** `http://host:port` (or `https://`) for a log line (IPv6 in brackets). */
export function listenUrl(address: readonly [string, number], scheme: 'http' | 'https' = 'http'): string {
  const [host, port] = address;
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The server settings taken from the config (both listeners, every process). */
export function serverSettings(config: Config): ServerSettings {
  return {
    headersTimeoutMs: config.HEADERS_TIMEOUT_MS,
    keepAliveTimeoutMs: config.KEEP_ALIVE_TIMEOUT_MS,
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    maxBodyBytes: config.MAX_BODY_BYTES,
    maxConnections: config.MAX_CONNECTIONS,
    maxRequestLineBytes: config.MAX_HEADER_LINE_BYTES,
    maxHeaderLineBytes: config.MAX_HEADER_LINE_BYTES,
    maxHeaders: config.MAX_HEADERS,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    requestQueueSize: config.LISTEN_BACKLOG,
  };
}

/** How a process runs the service: alone (`WORKERS=1`), or as a cluster worker. */
export interface ServiceOptions {
  /**
   * False in a cluster worker: the primary serves the metrics listener (aggregated), and the
   * primary has already waited `READINESS_DELAY_MS` before it signals the worker. Default true.
   */
  readonly metricsListener?: boolean;
  /** OpenTelemetry for the app listener's requests (`otel.ts` `loadTracing()`); default none. */
  readonly tracing?: Tracing | null;
}

/** The running service's parts. */
export class Service {
  readonly app: ServiceServer;
  /** Null in a cluster worker (the primary serves the metrics listener). */
  readonly metricsServer: ServiceServer | null;
  readonly metrics: ServiceMetrics;
  readonly lifecycle: Lifecycle;
  /** The handler class served on the app listener (the user's, unwrapped). */
  readonly handler: HandlerClass;

  /** Creates both listeners (they bind on the next microtask; await `ready`). */
  constructor(config: Config, handler: HandlerClass, logs: Logs, metrics: ServiceMetrics = new ServiceMetrics(), options: ServiceOptions = {}) {
    this.handler = handler;
    this.metrics = metrics;
    metrics.logLinesDropped = () => logs.linesDropped;
    const withMetrics = options.metricsListener !== false;
    const shared = processIds();
    const settings = serverSettings(config);

    const appName = handler.name || 'AnonymousHandler';
    const appCtx: HandlerContext = { ...listenerContext(config, logs, metrics, appName, true, shared), tracing: options.tracing ?? null };
    this.app = new ServiceServer('app', [config.HOST, config.PORT], serviceHandler(handler, appCtx) as never, appCtx, { ...settings, tls: tlsOptions(config) });

    this.metricsServer = withMetrics ? metricsListener(config, logs, settings, { registry: metrics, isReady: () => this.lifecycle.ready, metrics, shared }) : null;

    this.lifecycle = new Lifecycle({
      servers: this.metricsServer === null ? [this.app] : [this.app, this.metricsServer],
      log: logs.log,
      flushLogs: () => logs.flushSync(),
      readinessDelayMs: withMetrics ? config.READINESS_DELAY_MS : 0,
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    });
  }

  /** Resolves once both listeners are bound; rejects with the first bind error (EADDRINUSE…). */
  get ready(): Promise<void> {
    return Promise.all([this.app.ready, this.metricsServer?.ready]).then(() => undefined);
  }

  /** Starts both serve loops. */
  serve(): void {
    void this.app.serveForever();
    if (this.metricsServer !== null) void this.metricsServer.serveForever();
  }
}
