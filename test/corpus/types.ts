/**
 * The must-reject corpus: request framings that RFC 9110/9112 requires a server to reject or
 * to treat specially. One module per family exports `cases`; `index.ts` gathers them.
 *
 * Every case is sent in ONE write as `raw + smuggled`. For a rejected case the server must send
 * exactly one error response (or nothing, for `'close'`), close the connection, never run a
 * handler, and never answer the smuggled request behind it.
 */

/** The request appended behind a case; no handler may ever see `/smuggled`. 45 bytes. */
export const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: example.com\r\n\r\n';

/** What a server that accepts a request must have done with it (the "treat specially" outcome). */
export interface ServedOutcome {
  /** The handler ran exactly once, for this method... */
  readonly method: string;
  /** ...and this `path` (omitted where the core may legitimately normalise it). */
  readonly path?: string;
  /** ...and `readBody()` returned exactly these bytes (latin1); the smuggled text lives here. */
  readonly body: string;
}

/** Expected outcome: the error status, a silent close, or an ordinary 200 from the handler. */
export type Expectation = number | 'close' | { readonly served: ServedOutcome };

/** One corpus entry. */
export interface CorpusCase {
  /** Stable id: `<family>-<nn>-<slug>`. */
  readonly id: string;
  readonly description: string;
  /** The clause that requires the outcome, e.g. `RFC 9112 §6.3 item 5`. */
  readonly rfc: string;
  /** The request under test as a latin1 string (one char per byte); CR and LF written as \r \n. */
  readonly raw: string;
  readonly expect: Expectation;
  /** Bytes sent behind `raw` in the same write. Defaults to {@link SMUGGLED}; served cases carry
   * the smuggled text inside their body instead and set this to ''. */
  readonly smuggled?: string;
  /**
   * Why the handler may legitimately run before the refusal: the offending bytes lie beyond what
   * one socket read delivers, so the server finds them while the handler reads the body (its
   * `readBody()` then rejects). The status, the close and the smuggled request are still checked.
   */
  readonly handlerMayRun?: string;
}
