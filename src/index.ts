/** basehttp: Python's BaseHTTPServer on node:net. This file only re-exports. */
export * from './socketserver/index.js';
export * from './http/index.js';
export { MetricsHandler, type MetricsSource } from './service/metrics-handler.js';
