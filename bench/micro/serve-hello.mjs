// Serves a bench handler class (bench/servers/hello-handler.mjs and a logRequest of its own) on
// 127.0.0.1:$PORT with the bench's HTTPServer settings, for the micro-benchmark servers that
// bench/micro/*.sh start; SIGTERM runs `flush` (their logs' pending lines), then exits 0.
import { BenchServer } from '../servers/bench-server.mjs';

export async function serveHello(Handler, flush) {
  const server = new BenchServer(['127.0.0.1', Number(process.env.PORT)], Handler);
  await server.ready;
  process.on('SIGTERM', () => {
    try {
      flush();
    } catch {}
    process.exit(0);
  });
  await server.serveForever();
}
