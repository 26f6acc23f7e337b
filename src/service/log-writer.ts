/**
 * A batching byte writer for log file descriptors: what the access log serialises its records
 * into, and the destination of the service's pino logger for stdout (so both keep their order).
 *
 * Lines are appended to one reused byte buffer — pino's lines encoded as UTF-8 on arrival, the
 * access records written into it directly (`access-log.ts`) — and written with one `write(2)`
 * per event-loop turn (`setImmediate`), or at once when 64 KiB are pending.
 *
 * Back-pressure policy: block, never drop. The write is synchronous, as `process.stdout` is for
 * files and pipes on Linux: a reader that stops reading (a full pipe: EAGAIN on a non-blocking
 * descriptor) holds the process until it reads again, instead of growing memory or losing
 * lines; nothing is left in the buffer when the process exits — `flushSync()` on the exit paths
 * (shutdown, `uncaughtException`) writes what is pending. Only a descriptor that fails for good
 * (EPIPE: the reader is gone; EBADF…) loses lines: they are counted in `dropped` (the service's
 * `log_lines_dropped_total` metric and a line on the error stream, `logger.ts`).
 *
 * Why not `pino.destination({ sync: false, minLength: 4096 })`: sonic-boom computes
 * `Buffer.byteLength()` of its whole pending buffer (up to 16 KiB) on every `write()`, which
 * flattens the growing string each time. Measured on this machine (node 20, 330-byte access
 * lines built per call, 500 per event-loop turn, wall time including building the line and
 * writing to /dev/null; bench/micro/log-writer.mjs, 3 runs): sonic-boom async
 * 5.8–7.0 µs per line, sonic-boom sync 2.2–2.7 µs, a string-queue writer (join + one UTF-8
 * encoding per batch) 0.56–0.66 µs (of which building the line: 0.2–0.26 µs).
 */
import { writeSync } from 'node:fs';

/** Write at once when this many bytes are pending. */
const FLUSH_AT = 65_536;
/** The buffer's starting size: room for a full batch and the largest usual line after it. */
const INITIAL_CAPACITY = 2 * FLUSH_AT;
/** How long to sleep when a non-blocking descriptor answers EAGAIN (a full pipe). */
const EAGAIN_SLEEP_MS = 1;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes lines to a file descriptor in batches. `write()` never throws; a descriptor that fails
 * for good (EPIPE, EBADF…) drops its lines and counts them in `dropped`.
 *
 * - For callers: `write(line)`, `flushSync()`, `dropped`, `error`, `onDrop`.
 * - For a writer of its own bytes (the access log): `reserve(n)`, then write into `bytes` from
 *   `length` on, set `length`, then `committed()`.
 */
export class LogWriter {
  /** The file descriptor written to. */
  readonly fd: number;
  /** False: every line is written at once (the error stream). */
  readonly batched: boolean;
  /** Lines lost to a descriptor that failed (not counting EAGAIN, which is waited out). */
  dropped = 0;
  /** The first write error seen, if any. */
  error: NodeJS.ErrnoException | null = null;
  /** Called after a write lost lines (with how many), e.g. to report the first loss elsewhere. */
  onDrop: ((lines: number, error: NodeJS.ErrnoException) => void) | null = null;

  /** The pending bytes are `bytes[0, length)`. */
  bytes: Buffer = Buffer.allocUnsafeSlow(INITIAL_CAPACITY);
  length = 0;
  #scheduled = false;
  readonly #flushLater = (): void => {
    this.#scheduled = false;
    this.flushSync();
  };

  constructor(fd: number, batched = true) {
    this.fd = fd;
    this.batched = batched;
  }

  /** Queues `line` (which ends with a newline). Returns true, as a stream that never needs draining. */
  write(line: string): boolean {
    this.reserve(3 * line.length); // UTF-8: at most 3 bytes per UTF-16 unit
    this.length += this.bytes.write(line, this.length, 'utf8');
    this.committed();
    return true;
  }

  /** Makes room for `n` more bytes after `length` (flushing first, growing the buffer for a huge line). */
  reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    this.flushSync();
    if (n > this.bytes.length) this.bytes = Buffer.allocUnsafeSlow(2 ** Math.ceil(Math.log2(n)));
  }

  /** After bytes were appended: writes now when unbatched or 64 KiB are pending, else at the end of the turn. */
  committed(): void {
    if (!this.batched || this.length >= FLUSH_AT) this.flushSync();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flushLater);
    }
  }

  /** Writes everything pending now. Safe on exit paths (synchronous, never throws). */
  flushSync(): void {
    const end = this.length;
    if (end === 0) return;
    this.length = 0;
    const data = this.bytes;
    let offset = 0;
    while (offset < end) {
      try {
        offset += writeSync(this.fd, data, offset, end - offset);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (err.code === 'EAGAIN') {
          Atomics.wait(sleeper, 0, 0, EAGAIN_SLEEP_MS);
          continue;
        }
        this.error ??= err;
        const lost = countLines(data, offset, end);
        this.dropped += lost;
        this.onDrop?.(lost, err);
        return;
      }
    }
  }

  /** pino's optional destination hook: flushes, then calls back. */
  flush(cb?: (err?: Error) => void): void {
    this.flushSync();
    cb?.();
  }
}

/** Lines (newlines) in `data[from, to)`; a last line without one counts too. */
function countLines(data: Buffer, from: number, to: number): number {
  let n = 0;
  let i = from;
  for (let nl = data.indexOf(10, i); nl !== -1 && nl < to; nl = data.indexOf(10, i)) {
    n++;
    i = nl + 1;
  }
  return i < to ? n + 1 : n;
}
