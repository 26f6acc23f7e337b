/**
 * Date strings for headers and logs. The header date for "now" is cached for the current second
 * (as node's `utcDate()`): formatting a date costs about as much as parsing a whole request, and
 * every response carries one.
 */

/** Python's `BaseHTTPRequestHandler.weekdayname`. */
export const weekdayname: readonly string[] = Object.freeze(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
/** Python's `BaseHTTPRequestHandler.monthname` (index 0 unused, as in Python). */
export const monthname: readonly (string | null)[] = Object.freeze([null, 'Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']);

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/** RFC 9110 IMF-fixdate for `ms` since the epoch: `Sat, 28 Nov 2026 09:36:13 GMT`. */
export function httpDate(ms: number): string {
  const d = new Date(ms);
  const wd = (d.getUTCDay() + 6) % 7;
  return (
    `${weekdayname[wd]}, ${pad2(d.getUTCDate())} ${monthname[d.getUTCMonth() + 1]} ${d.getUTCFullYear()} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} GMT`
  );
}

let cachedDate: string | null = null;
function expireDate(): void {
  cachedDate = null;
}

/**
 * The header date for now, formatted at most once per second. The cached value is dropped by a
 * timer at the next second boundary (node's http server does the same), so a response reads no
 * clock: `Date.now()` per response was 2.5 % of a pipelined profile.
 */
export function currentHttpDate(): string {
  if (cachedDate === null) {
    const now = Date.now();
    cachedDate = httpDate(now);
    setTimeout(expireDate, 1000 - (now % 1000)).unref();
  }
  return cachedDate;
}

/** Python's `log_date_time_string()`: local time, `28/Nov/2026 09:36:13`. */
export function logDate(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getDate())}/${monthname[d.getMonth() + 1]}/${d.getFullYear()} ` + `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}
