/**
 * The service's log streams.
 *
 * - stdout: access records (`access-log.ts`) and the service's own info lines (startup,
 *   shutdown), both through one {@link LogWriter} so they keep their order.
 * - the error stream: stderr, or the file `ERROR_LOG_FILE` (appended, created if missing; its
 *   directory must exist): every record at `warn` or above — handler exceptions, refused requests, timeouts,
 *   connections cut at shutdown. Written synchronously, line by line: errors are rare and must
 *   survive a crash.
 *
 * `log` is a pino logger whose lines go to stdout below `warn` and to the error stream from `warn`
 * up. Its `redact` paths censor `Authorization`, `Cookie` and `Set-Cookie` wherever request or
 * response headers are logged (error records carry the request's headers).
 */
import { hostname } from 'node:os';
import { openSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { AccessLog } from './access-log.js';
import type { LogLevel } from './config.js';
import { LogWriter } from './log-writer.js';

/** Header paths whose values are replaced by `[Redacted]` in every record. */
export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["set-cookie"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
];

/** Levels at or above this go to the error stream. */
const ERROR_STREAM_LEVEL = 'warn';

export interface LogOptions {
  level: LogLevel;
  /** Write access records (they are `info`: none below that level either). */
  accessLog: boolean;
  /** Path of the error log; null: stderr. */
  errorLogFile: string | null;
  /** File descriptors, for tests. Default 1 and 2. */
  stdoutFd?: number;
  stderrFd?: number;
}

/** The service's loggers and the writers under them. */
export class Logs {
  /** Service logger: below `warn` to stdout, `warn` and up to the error stream. */
  readonly log: Logger;
  /** Access records; null when switched off. */
  readonly access: AccessLog | null;
  /** The stdout writer (batched). */
  readonly stdout: LogWriter;
  /** The error stream's writer (one write per line). */
  readonly errors: LogWriter;

  /** Opens the streams. Throws if `errorLogFile` cannot be opened (the caller exits with 78). */
  constructor(options: LogOptions) {
    this.stdout = new LogWriter(options.stdoutFd ?? 1);
    this.errors = new LogWriter(options.errorLogFile === null ? (options.stderrFd ?? 2) : openAppend(options.errorLogFile), false);
    const streams = pino.multistream(
      [
        { level: 'trace', stream: this.stdout },
        { level: ERROR_STREAM_LEVEL, stream: this.errors },
      ],
      { dedupe: true },
    );
    this.log = pino(
      {
        level: options.level,
        base: { pid: process.pid, hostname: hostname() },
        redact: { paths: [...REDACTED_PATHS], censor: '[Redacted]' },
      },
      streams,
    );
    const accessOn = options.accessLog && this.log.isLevelEnabled('info');
    this.access = accessOn ? new AccessLog(this.stdout, process.pid, hostname()) : null;
    // The first loss is reported at once on the error stream; the count goes on in the metric.
    this.stdout.onDrop = (lines, err) => {
      if (this.stdout.dropped === lines) {
        this.log.error(
          { err, linesDropped: lines },
          `stdout failed (${err.code ?? err.message}): ${lines} log line(s) lost; later losses are counted in log_lines_dropped_total`,
        );
      }
    };
  }

  /** Lines lost to a failed stdout since the start (`log_lines_dropped_total`). */
  get linesDropped(): number {
    return this.stdout.dropped;
  }

  /**
   * Writes every pending line now (synchronous; for exit paths). If stdout lost lines since the
   * last call, says how many on the error stream.
   */
  flushSync(): void {
    this.stdout.flushSync();
    const lost = this.stdout.dropped;
    if (lost > this.#droppedReported) {
      this.#droppedReported = lost;
      const code = this.stdout.error?.code ?? this.stdout.error?.message;
      this.log.error({ linesDropped: lost }, `${lost} stdout log line(s) lost since the start (${code})`);
    }
  }

  #droppedReported = 0;
}

/** Opens `path` for appending (created if missing; its directory must exist). */
function openAppend(path: string): number {
  return openSync(path, 'a');
}
