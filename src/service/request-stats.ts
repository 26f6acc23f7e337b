/**
 * Per-request counters of one listener, kept in preallocated typed arrays and handed to
 * prom-client only when `/metrics` is scraped (see `metrics.ts`).
 *
 * Why not `histogram.observe(labels, value)` per request: prom-client validates the labels and
 * builds a hash string of them on every call. Measured on this machine (node 20, best of 5 ×
 * 200 000; bench/micro/request-path.mjs): three `observe()` calls 2.4–3.1 µs per
 * request — about 10 % of a ~25 µs keep-alive request — against 0.08–0.12 µs for `observe()`
 * here (a `Float64Array` found through an `Int32Array` index, no labels object).
 *
 * The label set is bounded by construction: `method` is one of {@link METHODS} or `other`,
 * `status_code` a code 100–599 or `other`, `handler` the listener's handler class name, `route` a
 * pattern of the handler's route table, {@link UNMATCHED_ROUTE} or {@link UNROUTED} (at most
 * {@link MAX_ROUTES} values, then `other`) — never the raw path, so a scan over random URLs
 * cannot grow the series count.
 */
import type { RejectReason } from '../socketserver/error-catalogue.js';

/** Methods that get their own `method` label value; every other method is `other`. */
export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE'] as const;
const OTHER_METHOD = METHODS.length;
const METHOD_SLOTS = METHODS.length + 1;
/** Status codes 100–599 get their own label value; index 500 is `other`. */
const STATUS_SLOTS = 501;
/** `route` of a `RouteHandler` request that no route matched (404, 405, automatic OPTIONS, refused). */
export const UNMATCHED_ROUTE = 'unmatched';
/** `route` of every request to a handler without a route table (not a `RouteHandler`). */
export const UNROUTED = 'unrouted';
/** At most this many distinct `route` values per listener; later ones are counted as `other`. */
export const MAX_ROUTES = 1000;

/** `http_request_duration_seconds` upper bounds: sub-millisecond resolution for a fast server. */
export const DURATION_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** `http_request_size_bytes` / `http_response_size_bytes` upper bounds. */
export const SIZE_BUCKETS: readonly number[] = [64, 256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216];

const DUR = new Float64Array(DURATION_BUCKETS);
const SIZE = new Float64Array(SIZE_BUCKETS);
const ND = DUR.length + 1; // bounds + overflow (counted only in +Inf)
const NS = SIZE.length + 1;
/** Layout of a series' array: count, three sums, then the three histograms' bucket counts. */
const COUNT = 0;
const DUR_SUM = 1;
const REQ_SUM = 2;
const RES_SUM = 3;
const DUR_AT = 4;
const REQ_AT = DUR_AT + ND;
const RES_AT = REQ_AT + NS;
const WIDTH = RES_AT + NS;
/** At most this many distinct `reason` values; later ones are counted as `other`. */
const MAX_REASONS = 64;

/** One label set: method × status code × route, for the listener's handler. */
export interface Series {
  readonly labels: Readonly<{ method: string; status_code: string; handler: string; route: string }>;
  /** Layout: see the constants above; bucket counts are per bucket, not cumulative. */
  readonly values: Float64Array;
  /** The latest request of each duration bucket (bounds + `+Inf`), for exemplars. */
  readonly exemplars: BucketExemplars;
}

/** What an exemplar keeps of a request's trace context (`TraceContext`). */
export interface ExemplarTrace {
  /** Writes the trace id's 16 bytes, then the span id's 8, into `b` at `p`; returns the position after them. */
  putIdBytes(b: Uint8Array, p: number): number;
}

/** Bytes per bucket in `BucketExemplars.ids`: the trace id's 16 bytes, then the span id's 8. */
const ID_BYTES = 24;

/**
 * The latest request seen in each duration bucket of one series: its trace and span id, its
 * duration and when it ended (`performance.now()`; turned into wall-clock time once, at the
 * first scrape that shows it, so every scrape gives the same timestamp).
 */
export interface BucketExemplars {
  /**
   * Per bucket, the request's trace id and span id as bytes (`ID_BYTES` each), copied in and
   * hex encoded only at scrape time: a fresh trace's ids are bytes until then (issue 16), and
   * nothing here keeps the request's trace context (or its random pool) alive.
   */
  readonly ids: Uint8Array;
  /** 1 where the bucket has an exemplar. */
  readonly present: Uint8Array;
  readonly seconds: Float64Array;
  readonly endedAt: Float64Array;
  /** Wall-clock milliseconds of `endedAt`, or NaN until a scrape computes it. */
  readonly wallMs: Float64Array;
}

/** One exemplar as it leaves the process (scrape time, or a worker's answer to the primary). */
export interface ExemplarRow {
  /** The series' labels (method, status_code, handler, route). */
  readonly labels: Readonly<Record<string, string>>;
  /** The bucket's upper bound as prom-client labels it: a number, or `+Inf`. */
  readonly le: number | '+Inf';
  readonly traceId: string;
  readonly spanId: string;
  readonly seconds: number;
  /** Wall-clock time of the request's end, in milliseconds since the epoch. */
  readonly timestampMs: number;
}

/** A histogram's data for one series, as `metrics.ts` hands it to prom-client. */
export interface HistogramRow {
  readonly labels: Readonly<Record<string, string>>;
  /** Non-cumulative count per upper bound (same order as the bounds). */
  readonly buckets: ArrayLike<number>;
  readonly sum: number;
  readonly count: number;
}

/** Maps a method to its label slot. A switch on a string compiles to fast comparisons. */
function methodSlot(method: string | null): number {
  switch (method) {
    case 'GET':
      return 0;
    case 'HEAD':
      return 1;
    case 'POST':
      return 2;
    case 'PUT':
      return 3;
    case 'DELETE':
      return 4;
    case 'PATCH':
      return 5;
    case 'OPTIONS':
      return 6;
    case 'CONNECT':
      return 7;
    case 'TRACE':
      return 8;
    default:
      return OTHER_METHOD;
  }
}

function bucketOf(bounds: Float64Array, value: number): number {
  let i = 0;
  while (i < bounds.length && value > bounds[i]!) i++;
  return i;
}

/**
 * Counters for one listener (one handler class). The recording methods are called on every
 * request and allocate nothing once a label set has been seen.
 */
export class RequestStats {
  /** The `handler` label value. */
  readonly handler: string;
  /** Requests whose head was parsed and whose response is not complete yet. */
  inFlight = 0;
  /** Connections accepted by the listener. */
  connectionsAccepted = 0;
  /** Open connections now (the server's count, read at scrape time). */
  connectionsOpen: () => number;

  /** Series slot by (route index × methods + method) × statuses + status. */
  readonly #slotOf = new Map<number, number>();
  /** Route index by `route` value (index 0: `other`, past {@link MAX_ROUTES}). */
  readonly #routeIndex = new Map<string, number>();
  readonly #series: Series[] = [];
  readonly #rejected = new Map<string, number>();
  /** Where `observe()` counted the last duration, for `exemplar()`: the series and its bucket. */
  #lastSeries: Series | null = null;
  /** The `route` and `methodSlot × STATUS_SLOTS + status slot` of `#lastSeries`. */
  #lastRoute: string | null = null;
  #lastMethodStatus = -1;
  #lastBucket = 0;
  #lastSeconds = 0;

  constructor(handler: string, connectionsOpen: () => number = () => 0) {
    this.handler = handler;
    this.connectionsOpen = connectionsOpen;
  }

  /**
   * Records one finished request. `statusCode` null (nothing was sent) is labelled `other`;
   * `route` is a table pattern, {@link UNMATCHED_ROUTE} or {@link UNROUTED}. The same labels as
   * the last call reuse its series; other labels cost two map lookups (the route string, then the
   * label set's number). No allocation once a label set was seen.
   */
  observe(method: string | null, statusCode: number | null, route: string, seconds: number, requestBytes: number, responseBytes: number): void {
    const m = methodSlot(method);
    const s = statusCode !== null && statusCode >= 100 && statusCode <= 599 ? statusCode - 100 : STATUS_SLOTS - 1;
    // Most requests repeat the last one's labels: its series without the two lookups.
    const ms = m * STATUS_SLOTS + s;
    let series = this.#lastSeries;
    if (series === null || route !== this.#lastRoute || ms !== this.#lastMethodStatus) {
      let r = this.#routeIndex.get(route);
      if (r === undefined) r = this.#addRoute(route);
      const key = (r * METHOD_SLOTS + m) * STATUS_SLOTS + s;
      let slot = this.#slotOf.get(key);
      if (slot === undefined) slot = this.#addSeries(key, m, s, r === 0 ? 'other' : route);
      series = this.#series[slot]!;
      this.#lastRoute = route;
      this.#lastMethodStatus = ms;
    }
    const v = series.values;
    const b = bucketOf(DUR, seconds);
    v[COUNT]! += 1;
    v[DUR_SUM]! += seconds;
    v[REQ_SUM]! += requestBytes;
    v[RES_SUM]! += responseBytes;
    v[DUR_AT + b]! += 1;
    this.#lastSeries = series;
    this.#lastBucket = b;
    this.#lastSeconds = seconds;
    v[REQ_AT + bucketOf(SIZE, requestBytes)]! += 1;
    v[RES_AT + bucketOf(SIZE, responseBytes)]! += 1;
  }

  /**
   * Keeps the request just given to `observe()` as its duration bucket's exemplar (the latest
   * one wins). `endedAt` is the `performance.now()` of the request's end: a clock read the
   * caller has already made (a `Date.now()` here would add 37–70 ns per request on this
   * machine, bench/micro/trace-ids.mjs). No allocation: the trace's ids are copied as bytes
   * and hex encoded only when a scrape shows them (issue 16: a fresh trace's ids are bytes until
   * then, docs/performance.md).
   */
  exemplar(trace: ExemplarTrace, endedAt: number): void {
    const series = this.#lastSeries;
    if (series === null) return;
    const e = series.exemplars;
    const b = this.#lastBucket;
    trace.putIdBytes(e.ids, b * ID_BYTES);
    e.present[b] = 1;
    e.seconds[b] = this.#lastSeconds;
    e.endedAt[b] = endedAt;
    e.wallMs[b] = NaN;
  }

  /** Counts a request (or connection) the server refused, by reason (`bad_request`, `timeout`…). */
  reject(reason: RejectReason): void {
    const r = this.#rejected;
    const n = r.get(reason);
    if (n !== undefined) r.set(reason, n + 1);
    else if (r.size < MAX_REASONS) r.set(reason, 1);
    else r.set('other', (r.get('other') ?? 0) + 1);
  }

  /** The index of a new `route` value: 1, 2, …; 0 (`other`, not remembered) past the cap. */
  #addRoute(route: string): number {
    const routes = this.#routeIndex;
    if (routes.size >= MAX_ROUTES) return 0;
    routes.set(route, routes.size + 1);
    return routes.size;
  }

  #addSeries(key: number, m: number, s: number, route: string): number {
    const labels = {
      method: m === OTHER_METHOD ? 'other' : METHODS[m]!,
      status_code: s === STATUS_SLOTS - 1 ? 'other' : String(s + 100),
      handler: this.handler,
      route,
    };
    const exemplars: BucketExemplars = {
      ids: new Uint8Array(ND * ID_BYTES),
      present: new Uint8Array(ND),
      seconds: new Float64Array(ND),
      endedAt: new Float64Array(ND),
      wallMs: new Float64Array(ND).fill(NaN),
    };
    this.#series.push({ labels, values: new Float64Array(WIDTH), exemplars });
    const slot = this.#series.length - 1;
    this.#slotOf.set(key, slot);
    return slot;
  }

  /** Every label set seen so far. */
  get series(): readonly Series[] {
    return this.#series;
  }

  /** Rejections by reason. */
  get rejected(): ReadonlyMap<string, number> {
    return this.#rejected;
  }

  /**
   * The duration buckets' latest requests, for scrape time. The wall-clock time of a request's
   * end is worked out once, from the offset between the two clocks at that scrape.
   */
  exemplarRows(): ExemplarRow[] {
    const rows: ExemplarRow[] = [];
    const offset = Date.now() - performance.now();
    for (const { labels, exemplars: e } of this.#series) {
      for (let b = 0; b < ND; b++) {
        if (e.present[b] === 0) continue;
        if (Number.isNaN(e.wallMs[b])) e.wallMs[b] = Math.round(e.endedAt[b]! + offset);
        const at = b * ID_BYTES;
        const traceId = Buffer.from(e.ids.buffer, e.ids.byteOffset + at, 16).toString('hex');
        const spanId = Buffer.from(e.ids.buffer, e.ids.byteOffset + at + 16, 8).toString('hex');
        rows.push({ labels, le: b < DUR.length ? DUR[b]! : '+Inf', traceId, spanId, seconds: e.seconds[b]!, timestampMs: e.wallMs[b]! });
      }
    }
    return rows;
  }

  /** The rows of one of the three histograms, for scrape time. */
  rows(which: 'duration' | 'requestSize' | 'responseSize'): HistogramRow[] {
    const at = which === 'duration' ? DUR_AT : which === 'requestSize' ? REQ_AT : RES_AT;
    const sumAt = which === 'duration' ? DUR_SUM : which === 'requestSize' ? REQ_SUM : RES_SUM;
    const n = which === 'duration' ? DUR.length : SIZE.length;
    return this.#series.map(({ labels, values }) => ({
      labels,
      buckets: values.subarray(at, at + n),
      sum: values[sumAt]!,
      count: values[COUNT]!,
    }));
  }
}
