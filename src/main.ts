/**
 * The container entry point (`npm start`, the image's CMD): `node dist/main.js`.
 *
 * 1. Reads the config from the environment; a bad value exits 78 with one line per problem.
 *    With `TLS_CERT`, loads the TLS files too (a bad one exits 78, naming its variable).
 * 2. Loads `HANDLER_MODULE` (default: the example `AppHandler`); a bad module exits 78.
 * 3. Opens the log streams (`ERROR_LOG_FILE` unusable: exit 78).
 * 4. Binds the app listener (`HOST:PORT`) and the metrics listener (`HOST:METRICS_PORT`);
 *    a bind failure (EADDRINUSE…) exits 1. Logs one startup line with both real addresses
 *    (so `PORT=0` shows the port the OS chose) and the settings.
 * 5. Serves until SIGTERM/SIGINT (see `service/lifecycle.ts`).
 *
 * OpenTelemetry: when `@opentelemetry/api` is installed and a tracer provider is registered by
 * then (by HANDLER_MODULE's import, or a `--import` preload), each app request gets a server
 * span (`service/otel.ts`).
 *
 * With `WORKERS` > 1 this process becomes the cluster primary (`service/cluster-primary.ts`):
 * it serves only the metrics listener and forks the workers, which run this file again and
 * serve the app (`service/cluster-worker.ts`).
 */
import cluster from 'node:cluster';
import { writeSync } from 'node:fs';
import AppHandler from './service/app-handler.js';
import { ClusterPrimary, WORKER_ENV } from './service/cluster-primary.js';
import { runWorker } from './service/cluster-worker.js';
import { CONFIG_EXIT_CODE, loadConfig } from './service/config.js';
import { loadHandlerModule } from './service/handler-module.js';
import { Logs } from './service/logger.js';
import { loadTracing } from './service/otel.js';
import { listenUrl, Service } from './service/service.js';
import { appScheme, checkTls } from './service/tls-config.js';
import type { HandlerClass } from './service/service-handler.js';

/** Prints the problems, one line each, and exits 78 before anything binds. */
function configError(problems: readonly string[]): never {
  writeSync(2, problems.map((p) => `config error: ${p}\n`).join(''));
  process.exit(CONFIG_EXIT_CODE);
}

async function main(): Promise<void> {
  const result = loadConfig(process.env);
  if (!result.ok) configError(result.problems);
  const config = result.config;
  const tlsProblems = checkTls(config);
  if (tlsProblems.length > 0) configError(tlsProblems);

  let handler: HandlerClass = AppHandler;
  if (config.HANDLER_MODULE !== null) {
    const loaded = await loadHandlerModule(config.HANDLER_MODULE);
    if (!loaded.ok) configError([loaded.problem]);
    handler = loaded.handler;
  }

  let logs: Logs;
  try {
    logs = new Logs({ level: config.LOG_LEVEL, accessLog: config.ACCESS_LOG, errorLogFile: config.ERROR_LOG_FILE });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    configError([`ERROR_LOG_FILE=${JSON.stringify(config.ERROR_LOG_FILE)}: cannot be opened for appending (${err.code ?? err.message}); expected a writable file path`]);
  }

  // After HANDLER_MODULE's import, which may register an OpenTelemetry tracer provider.
  const tracing = await loadTracing();

  const crash = (kind: string) => (err: unknown) => {
    logs.log.fatal({ err }, kind);
    logs.flushSync();
    process.exit(1);
  };
  // Any other way out (a handler's own process.exit(), the loop running dry) writes them too.
  process.on('exit', () => logs.flushSync());
  process.on('uncaughtException', crash('uncaught exception'));
  process.on('unhandledRejection', crash('unhandled promise rejection'));

  if (cluster.isWorker && process.env[WORKER_ENV] === '1') {
    await runWorker(config, handler, logs, tracing);
    return;
  }
  if (config.WORKERS > 1) {
    const primary = new ClusterPrimary(config, handler.name, logs);
    primary.install();
    try {
      await primary.start();
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      logs.log.fatal({ err }, `cannot listen on ${config.HOST} (PORT ${config.PORT}, METRICS_PORT ${config.METRICS_PORT}): ${err.code ?? err.message}`);
      logs.flushSync();
      process.exit(1);
    }
    return;
  }

  const service = new Service(config, handler, logs, undefined, { tracing });
  try {
    await service.ready;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    logs.log.fatal({ err }, `cannot listen on ${config.HOST} (PORT ${config.PORT}, METRICS_PORT ${config.METRICS_PORT}): ${err.code ?? err.message}`);
    logs.flushSync();
    process.exit(1);
  }
  service.serve();
  service.lifecycle.install();

  const app = listenUrl(service.app.serverAddress, appScheme(config));
  const metrics = listenUrl(service.metricsServer!.serverAddress);
  logs.log.info(
    {
      app,
      metrics,
      handler: handler.name,
      node: process.version,
      openTelemetry: tracing !== null,
      settings: { ...config, MAX_CONNECTIONS: Number.isFinite(config.MAX_CONNECTIONS) ? config.MAX_CONNECTIONS : 'unlimited' },
    },
    `listening on ${app} (${handler.name}), metrics on ${metrics}`,
  );
}

void main();
