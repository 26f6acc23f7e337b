/**
 * A cluster worker (`WORKERS` > 1): serves the app on the port the primary chose (node:cluster
 * shares the listening socket between the workers), answers the primary's metrics requests
 * with its own registry, and drains through `shutdown()` when the primary sends SIGTERM.
 * SIGINT is ignored: a terminal's Ctrl-C reaches the whole process group, and the primary
 * decides when the workers drain (after its readiness delay).
 */
import { answerMetricsRequests } from './cluster-metrics.js';
import type { Config } from './config.js';
import type { Logs } from './logger.js';
import { ServiceMetrics } from './metrics.js';
import type { Tracing } from './otel.js';
import type { HandlerClass } from './service-handler.js';
import { listenUrl, Service } from './service.js';
import { appScheme } from './tls-config.js';

/** Starts the worker's app listener; exits 1 if it cannot listen. */
export async function runWorker(config: Config, handler: HandlerClass, logs: Logs, tracing: Tracing | null = null): Promise<Service> {
  const service = new Service(config, handler, logs, new ServiceMetrics(), { metricsListener: false, tracing });
  answerMetricsRequests([service.metrics.registry], () => service.metrics.exemplars());
  try {
    await service.ready;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    logs.log.fatal({ err }, `worker cannot listen on ${config.HOST} (PORT ${config.PORT}): ${err.code ?? err.message}`);
    logs.flushSync();
    process.exit(1);
  }
  service.serve();
  service.lifecycle.install();
  process.removeAllListeners('SIGINT');
  process.on('SIGINT', () => {});
  const app = listenUrl(service.app.serverAddress, appScheme(config));
  logs.log.info({ app, handler: handler.name }, `worker ${process.pid} listening on ${app}`);
  return service;
}
