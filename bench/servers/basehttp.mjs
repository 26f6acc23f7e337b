// basehttp, bare: the bench handler served by HTTPServer + serveForever(), as in Python.
import { BenchServer } from './bench-server.mjs';
import Hello from './hello-handler.mjs';
import { portFromEnv } from './payloads.mjs';

class QuietHello extends Hello {
  // Logger off, as fastify's `logger: false`: the default writes Python's line to stderr for
  // every request. Errors still go through logError -> logMessage.
  logRequest() {}
}

const server = new BenchServer(['127.0.0.1', portFromEnv()], QuietHello);
await server.ready;
await server.serveForever();
