// The floor under issue 16's "every access record written to stdout": the bare core (as
// bench/servers/basehttp.mjs) plus, per request, one constant access record copied into the
// service's own LogWriter and written with it (one write(2) per event-loop turn, as the service
// does). Nothing is serialised, no id, trace context or metric is made: what a service that
// writes a record of this size per request, with this writer's policy (synchronous, one write(2)
// per turn on the event loop's core), pays before anything else.
// A server for bench/micro/service.sh (its `record-floor` row, stdout to a file); run after
// `npm run build`.
import { LogWriter } from '../../dist/service/log-writer.js';
import { BenchServer } from '../servers/bench-server.mjs';
import Hello from '../servers/hello-handler.mjs';
import { portFromEnv } from '../servers/payloads.mjs';

// A record the service wrote for a request of `wrk -c50 /hello` (2026-12-07): 450 bytes, the
// length of its records in that run (452 on average over 100 000).
const RECORD = Buffer.from(
  '{"level":30,"time":1796650774217,"pid":16758,"hostname":"vm","req":{"method":"GET","url":"/hello",' +
    '"remoteAddress":"127.0.0.1","remotePort":59034},"res":{"statusCode":200},"route":"unrouted",' +
    '"responseTime":0.015,"bytesSent":184,"bytesReceived":46,"httpVersion":"HTTP/1.1","userAgent":null,' +
    '"referer":null,"requestId":"3itpx3wl-99","trace_id":"72099fbc7436a57515247c832b99fbca",' +
    '"span_id":"8bf62ee325883fe0","trace_flags":"01","msg":"request completed"}\n',
);
const log = new LogWriter(1);

class RecordFloorHello extends Hello {
  logRequest() {
    log.reserve(RECORD.length);
    RECORD.copy(log.bytes, log.length);
    log.length += RECORD.length;
    log.committed();
  }
}

// What is pending is written before the process ends (service.sh counts the lines), as the service does.
process.on('SIGTERM', () => {
  log.flushSync();
  process.exit(0);
});

const server = new BenchServer(['127.0.0.1', portFromEnv()], RecordFloorHello);
await server.ready;
await server.serveForever();
