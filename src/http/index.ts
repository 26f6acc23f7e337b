export { HTTPServer, type SweptConnection } from './http-server.js';
export { DEFAULT_LIMITS, type HTTPLimits, type HTTPServerOptions } from './limits.js';
export { BaseHTTPRequestHandler } from './request-handler.js';
export { HTTPMessage } from './message.js';
export { responses } from './responses.js';
export { DEFAULT_ERROR_MESSAGE, DEFAULT_ERROR_CONTENT_TYPE } from './error-page.js';
export { test } from './test-server.js';
export { VERSION as version } from './version.js';
export { parseTraceparent, parseTracestate, TraceContext, TraceIds, type Traceparent } from './trace-context.js';
export { RouteHandler } from './route-handler.js';
export { HTTPError, type HTTPErrorOptions, type ProblemDetails, type ProblemFieldError, PROBLEM_CONTENT_TYPE } from './problem.js';
export {
  defineRoutes,
  type PathParams,
  type RawQuery,
  type RouteArgs,
  type RouteArgsOfKey,
  type RouteCalls,
  type RouteKey,
  type RouteMethods,
  type RouteOptions,
  type RouteTableSpec,
} from './route-types.js';
export type { InferOutput, StandardSchemaIssue, StandardSchemaResult, StandardSchemaV1 } from './standard-schema.js';
export { canonicalPath } from './canonical-path.js';
export { HTTPSServer } from './https-server.js';
export type { HTTPSServerOptions } from './tls-listener.js';
export { SimpleHTTPRequestHandler } from './simple-request-handler.js';
