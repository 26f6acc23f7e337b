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
export {};
