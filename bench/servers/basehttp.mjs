// basehttp, bare: the bench handler served by HTTPServer + serveForever(), as in Python.
import { HTTPServer } from '../../dist/index.js';
import Hello from './hello-handler.mjs';
import { KEEP_ALIVE_TIMEOUT_MS, MAX_BODY_BYTES, portFromEnv } from './payloads.mjs';

class QuietHello extends Hello {
  // Logger off, as fastify's `logger: false`: the default writes Python's line to stderr for
  // every request. Errors still go through logError -> logMessage.
  logRequest() {}
}

class BenchServer extends HTTPServer {
  maxBodyBytes = MAX_BODY_BYTES; // the 1 MiB upload must fit with room to spare
  keepAliveTimeoutMs = KEEP_ALIVE_TIMEOUT_MS; // as every server here (see payloads.mjs)
  requestQueueSize = 511; // the default since issue 12; kept explicit so older builds bench alike
}

const server = new BenchServer(['127.0.0.1', portFromEnv()], QuietHello);
await server.ready;
await server.serveForever();
