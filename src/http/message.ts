/**
 * The longest name {@link foldName} remembers. V8 makes a substring of 13 characters or more a
 * view into its parent string, so a longer name sliced from a request head would keep that whole
 * head alive in the cache; a shorter one is always a copy.
 */
const CACHED_NAME_LENGTH = 12;

/** The names `foldName()` last lower-cased, the last two of each length at `2 * length` (the newer) and `2 * length + 1`, and their lower-case forms. */
const CACHED_NAMES: string[] = new Array<string>(2 * (CACHED_NAME_LENGTH + 1)).fill('');
const CACHED_LOWER: string[] = new Array<string>(2 * (CACHED_NAME_LENGTH + 1)).fill('');

/**
 * `name.toLowerCase()`, remembered for the last two names of each length up to
 * {@link CACHED_NAME_LENGTH}: lookups name their field with the same literal on every request
 * (`get('user-agent')`, `get('Content-Type')`), and lower-casing it again was four
 * `StringToLowerCaseIntl` calls per request in the service (1.3 % of its pipelined profile).
 * Compared by identity or content (`===`); a name that is not cached costs one comparison more
 * than before.
 */
function foldName(name: string): string {
  const n = name.length;
  if (n > CACHED_NAME_LENGTH) return name.toLowerCase();
  const slot = 2 * n;
  if (CACHED_NAMES[slot] === name) return CACHED_LOWER[slot]!;
  if (CACHED_NAMES[slot + 1] === name) return CACHED_LOWER[slot + 1]!;
  // The newer of the two stays, the new name takes the other's place.
  const lower = name.toLowerCase();
  CACHED_NAMES[slot + 1] = CACHED_NAMES[slot]!;
  CACHED_LOWER[slot + 1] = CACHED_LOWER[slot]!;
  CACHED_NAMES[slot] = name;
  CACHED_LOWER[slot] = lower;
  return lower;
}

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
  /**
   * Flat `[lower-cased name, name as received, value, …]`, a field per three entries. One array,
   * not a lower-cased one beside a `[name, value…]` one: one allocation fewer per request, and one
   * growth fewer for heads of up to ~5 fields (`GrowFastSmiOrObjectElements` was 1.2 % of a bare
   * pipelined profile, two per request).
   */
  readonly #fields: string[] = [];

  /** Adds a field; `lowerName` is `name.toLowerCase()` when the caller already has it. */
  append(name: string, value: string, lowerName: string = name.toLowerCase()): void {
    this.#fields.push(lowerName, name, value);
  }

  /** The first value of `name` (case-insensitive), or `undefined`. */
  get(name: string): string | undefined;
  get(name: string, fallback: string): string;
  get(name: string, fallback?: string): string | undefined {
    const key = foldName(name);
    const f = this.#fields;
    for (let i = 0; i < f.length; i += 3) {
      if (f[i] === key) return f[i + 2];
    }
    return fallback;
  }

  /** Every value of `name`, in order received. */
  getAll(name: string): string[] {
    const key = foldName(name);
    const out: string[] = [];
    const f = this.#fields;
    for (let i = 0; i < f.length; i += 3) {
      if (f[i] === key) out.push(f[i + 2]!);
    }
    return out;
  }

  /** True when `name` is present. */
  has(name: string): boolean {
    const key = foldName(name);
    const f = this.#fields;
    for (let i = 0; i < f.length; i += 3) {
      if (f[i] === key) return true;
    }
    return false;
  }

  /** Number of fields (repeats counted). */
  get size(): number {
    return this.#fields.length / 3;
  }

  /** Field names as received, repeats included. */
  keys(): string[] {
    return this.#fields.filter((_, i) => i % 3 === 1);
  }

  /** Field values in order. */
  values(): string[] {
    return this.#fields.filter((_, i) => i % 3 === 2);
  }

  /** `[name, value]` pairs in order. */
  items(): Array<[string, string]> {
    return [...this];
  }

  *[Symbol.iterator](): Iterator<[string, string]> {
    const f = this.#fields;
    for (let i = 0; i < f.length; i += 3) yield [f[i + 1]!, f[i + 2]!];
  }

  /** The headers as a plain object of name → values (lower-cased names). */
  toJSON(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    const f = this.#fields;
    for (let i = 0; i < f.length; i += 3) {
      const k = f[i]!;
      const v = f[i + 2]!;
      const prev = out[k];
      out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    return out;
  }

  /** Python's `str(message)`: the header block as received, one `Name: value` line each. */
  toString(): string {
    let s = '';
    const f = this.#fields;
    for (let i = 0; i < f.length; i += 3) s += `${f[i + 1]}: ${f[i + 2]}\n`;
    return s + '\n';
  }
}
