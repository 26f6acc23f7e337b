import { HTTPServer } from '../../src/index.js';
import { FixtureHandler10, FixtureHandler11 } from './handler.js';
import type { ProtocolVariant } from './cases.js';

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

/** Starts both servers; `quiet` silences the handlers' default log lines. */
export async function startOurFixture(options: { quiet?: boolean } = {}): Promise<OurFixture> {
  const servers = {
    '1.0': new CountingHTTPServer(['127.0.0.1', 0], options.quiet ? QuietHandler10 : FixtureHandler10),
    '1.1': new CountingHTTPServer(['127.0.0.1', 0], options.quiet ? QuietHandler11 : FixtureHandler11),
  } as const;
  await Promise.all([servers['1.0'].ready, servers['1.1'].ready]);
  const loops = [servers['1.0'].serveForever(0.05), servers['1.1'].serveForever(0.05)];
  return {
    ports: { '1.0': servers['1.0'].serverAddress[1], '1.1': servers['1.1'].serverAddress[1] },
    get connections() {
      return { '1.0': servers['1.0'].accepted, '1.1': servers['1.1'].accepted };
    },
    async stop() {
      await Promise.all([servers['1.0'].shutdown(), servers['1.1'].shutdown()]);
      servers['1.0'].serverClose();
      servers['1.1'].serverClose();
      await Promise.all(loops);
    },
  };
}
