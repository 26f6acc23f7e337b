/**
 * Optional OpenTelemetry: a server span per request, when `@opentelemetry/api` is installed
 * (an optional peer dependency, loaded with a dynamic `import()`) and a tracer provider is
 * registered before the service starts (by `HANDLER_MODULE` when it is imported, or by a
 * `node --import ./otel-setup.js` preload). Otherwise {@link loadTracing} gives null and the
 * service's handler classes are exactly those without tracing: no wrapper, no check per request.
 *
 * The span (OpenTelemetry's semantic conventions for HTTP servers): kind SERVER, name `METHOD route`
 * when the handler has a string `route` (a `RouteHandler`'s matched pattern), else `METHOD`;
 * attributes `http.request.method`, `url.path`, `http.route` (when known),
 * `http.response.status_code`; status ERROR for a 5xx or no response. Its parent is the
 * caller's `traceparent` when valid (the same rules as the logs, `trace-context.ts`), and its
 * context is active while `do_X` runs, so spans a handler starts (and instrumented clients it
 * calls) are its children. The request's `trace_id`, `span_id` and `trace_flags` in the logs
 * and exemplars are then the span's.
 */
import type * as Api from '@opentelemetry/api';
import { TraceContext } from '../http/trace-context.js';
import { VERSION } from '../http/version.js';

/** The loaded API and the service's tracer. */
export interface Tracing {
  readonly api: typeof Api;
  readonly tracer: Api.Tracer;
}

/**
 * `@opentelemetry/api` with a registered tracer provider, or null (not installed, or no
 * provider: the API's proxy still delegates to its no-op provider).
 */
export async function loadTracing(load: () => Promise<unknown> = () => import('@opentelemetry/api')): Promise<Tracing | null> {
  let api: typeof Api;
  try {
    const mod = (await load()) as typeof Api & { default?: typeof Api };
    api = typeof mod.trace === 'object' ? mod : mod.default!;
  } catch {
    return null;
  }
  const provider = api.trace.getTracerProvider() as Api.TracerProvider & { getDelegate?: () => Api.TracerProvider };
  const delegate = provider.getDelegate?.() ?? provider;
  if (delegate === new api.ProxyTracerProvider().getDelegate()) return null;
  return { api, tracer: api.trace.getTracer('basehttp', VERSION) };
}

/** What a span reads of the handler. */
export interface SpanSource {
  readonly command: string | null;
  readonly path: string;
  readonly statusCode: number | null;
  readonly traceContext: TraceContext;
}

/** The handler's `route` (a `RouteHandler`'s matched pattern), read duck-typed; null when none. */
function routeOf(h: object): string | null {
  const route = (h as { route?: unknown }).route;
  return typeof route === 'string' ? route : null;
}

/** The path of a request target: origin-form up to `?`, or an absolute-form URL's path. */
function urlPath(target: string): string {
  if (target.startsWith('/')) {
    const q = target.indexOf('?');
    return q === -1 ? target : target.slice(0, q);
  }
  try {
    return new URL(target).pathname;
  } catch {
    return target;
  }
}

/** A request's server span, from `start()` to `end()`. */
export class ServerSpan {
  readonly span: Api.Span;
  /** The context `do_X` runs in. */
  readonly context: Api.Context;
  /** The request's trace context after the span started (the span's ids). */
  readonly trace: TraceContext;
  #routed: boolean;

  /** Starts the span of `h`'s request, as a child of its valid `traceparent`. */
  constructor(tracing: Tracing, h: SpanSource) {
    const { api, tracer } = tracing;
    const incoming = h.traceContext;
    let parent = api.ROOT_CONTEXT;
    if (incoming.parentId !== null) {
      const state = incoming.traceState;
      parent = api.trace.setSpanContext(parent, {
        traceId: incoming.traceId,
        spanId: incoming.parentId,
        traceFlags: parseInt(incoming.traceFlags, 16),
        isRemote: true,
        ...(state === null ? {} : { traceState: api.createTraceState(state) }),
      });
    }
    const method = h.command ?? '';
    const route = routeOf(h);
    const attributes: Api.Attributes = { 'http.request.method': method, 'url.path': urlPath(h.path) };
    if (route !== null) attributes['http.route'] = route;
    this.span = tracer.startSpan(route === null ? method : `${method} ${route}`, { kind: api.SpanKind.SERVER, attributes }, parent);
    this.#routed = route !== null;
    this.context = api.trace.setSpan(parent, this.span);
    const sc = this.span.spanContext();
    this.trace = api.isSpanContextValid(sc)
      ? new TraceContext(sc.traceId, sc.spanId, (sc.traceFlags & 0xff).toString(16).padStart(2, '0'), incoming.parentId, incoming.traceState)
      : incoming;
  }

  /** Ends the span with the response's status; a route matched inside `do_X` renames it. */
  end(h: SpanSource): void {
    const span = this.span;
    const route = routeOf(h);
    if (route !== null && !this.#routed) {
      span.updateName(`${h.command ?? ''} ${route}`);
      span.setAttribute('http.route', route);
    }
    const status = h.statusCode;
    if (status !== null) span.setAttribute('http.response.status_code', status);
    if (status === null || status >= 500) {
      span.setAttribute('error.type', status === null ? 'no_response' : String(status));
      span.setStatus({ code: 2 }); // SpanStatusCode.ERROR
    }
    span.end();
  }
}

/** The `do_X` method names of a handler class (its prototype chain, up to `Object.prototype`). */
export function doMethodNames(Base: new (...args: any[]) => object): string[] {
  const names = new Set<string>();
  for (let proto: object | null = Base.prototype; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name.startsWith('do_') && typeof Object.getOwnPropertyDescriptor(proto, name)?.value === 'function') names.add(name);
    }
  }
  return [...names];
}
