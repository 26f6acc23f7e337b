import { HTTPServer } from '../../src/index.js';
import { FixtureHandler10, FixtureHandler11 } from './handler.js';
import type { ProtocolVariant } from './cases.js';
import { startServer } from '../harness/server.js';

/** Our twin of test/cpython/server.py: two HTTPServers on 127.0.0.1 port 0. */
export interface OurFixture {
  readonly ports: Readonly<Record<ProtocolVariant, number>>;
  /** Connections accepted so far (counted in verifyRequest), per variant. */
  readonly connections: Readonly<Record<ProtocolVariant, number>>;
  stop(): Promise<void>;
}

/** An HTTPServer that counts the connections it accepts. */
export class CountingHTTPServer extends HTTPServer {
  accepted = 0;

  override verifyRequest(...args: Parameters<HTTPServer['verifyRequest']>): boolean {
    this.accepted += 1;
    return super.verifyRequest(...args);
  }
}

/** The fixture handlers with logMessage silenced (for tests that do not look at the log). */
class QuietHandler10 extends FixtureHandler10 {
  override logMessage(): void {}
}
class QuietHandler11 extends FixtureHandler11 {
  override logMessage(): void {}
}

/** Starts both servers (test/harness/server.ts: closed after the test or file if `stop()` is not called); `quiet` silences the handlers' default log lines. */
export async function startOurFixture(options: { quiet?: boolean } = {}): Promise<OurFixture> {
  const [ten, eleven] = await Promise.all([
    startServer(options.quiet ? QuietHandler10 : FixtureHandler10, {}, CountingHTTPServer),
    startServer(options.quiet ? QuietHandler11 : FixtureHandler11, {}, CountingHTTPServer),
  ]);
  return {
    ports: { '1.0': ten.port, '1.1': eleven.port },
    get connections() {
      return { '1.0': ten.server.accepted, '1.1': eleven.server.accepted };
    },
    async stop() {
      await Promise.all([ten.close(), eleven.close()]);
    },
  };
}
