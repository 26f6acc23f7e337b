/**
 * Request headers (Python's `MessageClass`, `mimetools.Message` / `http.client.HTTPMessage`):
 * case-insensitive lookup, original order and repeats kept.
 *
 * - For callers: `get(name)`, `getAll(name)`, `has(name)`, `size`, iteration as `[name, value]`,
 *   `keys()`, `values()`, `items()`, `toJSON()`.
 * - The parser fills it through `append()`; a subclass given as the handler's `MessageClass` may
 *   add accessors.
 */
export class HTTPMessage implements Iterable<[string, string]> {
  /** Flat `[name, value, name, value…]` as received (names keep their case). */
  readonly #raw: string[] = [];
  /** Lower-cased names, index-aligned with the pairs of `#raw`. */
  readonly #lower: string[] = [];

  /** Adds a field; `lowerName` is `name.toLowerCase()` when the caller already has it. */
  append(name: string, value: string, lowerName: string = name.toLowerCase()): void {
    this.#raw.push(name, value);
    this.#lower.push(lowerName);
  }

  /** The first value of `name` (case-insensitive), or `undefined`. */
  get(name: string): string | undefined;
  get(name: string, fallback: string): string;
  get(name: string, fallback?: string): string | undefined {
    const key = name.toLowerCase();
    const lower = this.#lower;
    for (let i = 0; i < lower.length; i++) {
      if (lower[i] === key) return this.#raw[2 * i + 1];
    }
    return fallback;
  }

  /** Every value of `name`, in order received. */
  getAll(name: string): string[] {
    const key = name.toLowerCase();
    const out: string[] = [];
    const lower = this.#lower;
    for (let i = 0; i < lower.length; i++) {
      if (lower[i] === key) out.push(this.#raw[2 * i + 1]!);
    }
    return out;
  }

  /** True when `name` is present. */
  has(name: string): boolean {
    return this.#lower.includes(name.toLowerCase());
  }

  /** Number of fields (repeats counted). */
  get size(): number {
    return this.#lower.length;
  }

  /** Field names as received, repeats included. */
  keys(): string[] {
    return this.#raw.filter((_, i) => i % 2 === 0);
  }

  /** Field values in order. */
  values(): string[] {
    return this.#raw.filter((_, i) => i % 2 === 1);
  }

  /** `[name, value]` pairs in order. */
  items(): Array<[string, string]> {
    return [...this];
  }

  *[Symbol.iterator](): Iterator<[string, string]> {
    const raw = this.#raw;
    for (let i = 0; i < raw.length; i += 2) yield [raw[i]!, raw[i + 1]!];
  }

  /** The headers as a plain object of name → values (lower-cased names). */
  toJSON(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    const raw = this.#raw;
    for (let i = 0; i < this.#lower.length; i++) {
      const k = this.#lower[i]!;
      const v = raw[2 * i + 1]!;
      const prev = out[k];
      out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    return out;
  }

  /** Python's `str(message)`: the header block as received, one `Name: value` line each. */
  toString(): string {
    let s = '';
    const raw = this.#raw;
    for (let i = 0; i < raw.length; i += 2) s += `${raw[i]}: ${raw[i + 1]}\n`;
    return s + '\n';
  }
}
