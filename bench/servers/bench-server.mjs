// The HTTPServer every bare basehttp bench server runs on: the same limits as the other servers.
import { HTTPServer } from '../../dist/index.js';
import { KEEP_ALIVE_TIMEOUT_MS, MAX_BODY_BYTES } from './payloads.mjs';

export class BenchServer extends HTTPServer {
  maxBodyBytes = MAX_BODY_BYTES; // the 1 MiB upload must fit with room to spare
  keepAliveTimeoutMs = KEEP_ALIVE_TIMEOUT_MS; // as every server here (see payloads.mjs)
  requestQueueSize = 511; // the default since issue 12; kept explicit so older builds bench alike
}
