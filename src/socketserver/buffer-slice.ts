/**
 * `Buffer.prototype.latin1Slice` is the method `toString('latin1', start, end)` ends up calling
 * (present since node 0.x and in 20, 22, 24). Calling it directly skips the encoding lookup and
 * argument checks; request heads are decoded as latin-1, as CPython does (`iso-8859-1`).
 */
declare global {
  interface Buffer {
    latin1Slice(start: number, end: number): string;
    /** `toString('hex', start, end)` without the encoding lookup (trace and span ids). */
    hexSlice(start: number, end: number): string;
    /** `write(string, offset, length, 'latin1')` without the encoding lookup (response heads). */
    latin1Write(string: string, offset: number, length: number): number;
  }
}

/**
 * `Uint8Array.prototype.set` (a `memmove`), for code on the per-request path to call as
 * `copyBytes.call(target, source, offset)`. With node 20 (V8 11.3) a method read from a `Buffer`
 * in optimized code stays a generic `LoadIC` call on every use, as does `byteLength` on any
 * typed array (docs/performance.md). Through `call` on a constant function there is no lookup.
 * Not for Buffer's own methods (`latin1Slice`, `latin1Write`): they are C++ API functions, which
 * `call` reaches through V8's generic `HandleApiCall` path, costlier than the lookup it saves.
 */
export const copyBytes = Uint8Array.prototype.set;
