/**
 * The metrics listener (`HOST:METRICS_PORT`: `/metrics`, `/healthz`, `/readyz`), built the same
 * way by a single-process service (`service.ts`: its own registry, its lifecycle's readiness) and
 * by the cluster primary (`cluster-primary.ts`: the workers' aggregated metrics, ready while a
 * worker listens), and the handler context every listener of the service is served with.
 */
import { TraceIds } from '../http/trace-context.js';
import type { Config } from './config.js';
import type { Logs } from './logger.js';
import { MetricsHandler, type MetricsSource } from './metrics-handler.js';
import type { ServiceMetrics } from './metrics.js';
import { RequestIdGenerator } from './request-id.js';
import { type HandlerContext, serviceHandler } from './service-handler.js';
import { type ServerSettings, ServiceServer } from './service-server.js';

/** What the listeners of one process share: request ids and trace ids are unique per process. */
export interface ProcessIds {
  readonly ids: RequestIdGenerator;
  readonly traceIds: TraceIds;
}

/** New ids for a process. */
export function processIds(): ProcessIds {
  return { ids: new RequestIdGenerator(), traceIds: new TraceIds() };
}

/**
 * The context a listener's handlers are served with: requests counted in `metrics` under
 * `handlerName`, access records only when `accessLogged`, no OpenTelemetry (the app listener adds
 * its own).
 */
export function listenerContext(config: Config, logs: Logs, metrics: ServiceMetrics, handlerName: string, accessLogged: boolean, shared: ProcessIds): HandlerContext {
  return {
    access: accessLogged ? logs.access : null,
    log: logs.log,
    stats: metrics.listener(handlerName),
    ids: shared.ids,
    protocolVersion: config.PROTOCOL_VERSION,
    traceIds: shared.traceIds,
    traceResponse: config.TRACEPARENT_RESPONSE,
    tracing: null,
  };
}

/** What the metrics listener serves. */
export interface MetricsListenerOptions {
  /** Served at `/metrics`. */
  readonly registry: MetricsSource;
  /** `/readyz`: 200 while true, else 503. */
  readonly isReady: () => boolean;
  /** Where the listener's own requests are counted (`handler="MetricsHandler"`). */
  readonly metrics: ServiceMetrics;
  /** The process's ids (shared with the app listener in a single process). */
  readonly shared: ProcessIds;
}

/**
 * The metrics listener: `MetricsHandler` (named so in logs and metrics) serving `registry`, its
 * probes access-logged only with `ACCESS_LOG_PROBES`. It binds on the next microtask (await
 * `ready`).
 */
export function metricsListener(config: Config, logs: Logs, settings: ServerSettings, o: MetricsListenerOptions): ServiceServer {
  const { registry, isReady } = o;
  class ServiceMetricsHandler extends MetricsHandler {
    override registry: MetricsSource = registry;
    override isReady(): boolean {
      return isReady();
    }
  }
  Object.defineProperty(ServiceMetricsHandler, 'name', { value: 'MetricsHandler' });
  const ctx = listenerContext(config, logs, o.metrics, 'MetricsHandler', config.ACCESS_LOG_PROBES, o.shared);
  return new ServiceServer('metrics', [config.HOST, config.METRICS_PORT], serviceHandler(ServiceMetricsHandler, ctx) as never, ctx, settings);
}
