// Heap and RSS per idle keep-alive connection, for one server in this process.
//   npm run build && node --expose-gc bench/conn-memory.mjs basehttp|node-http [COUNT] [--snapshot FILE]
// Starts the server on 127.0.0.1:0, forks a client process that opens COUNT connections (default
// 5000) and sends one keep-alive GET /hello on each, then compares process.memoryUsage() after a
// full GC with the figures before. With --snapshot, writes a heap snapshot while the
// connections are open (open it in Chrome DevTools, or count objects per constructor).
// The bench's idle10k scenario measures the whole process's RSS side by side; this tool says
// what each connection costs in the JavaScript heap, which is where a library can save.
import { fork } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import v8 from 'node:v8';

const [which = 'basehttp', countArg] = process.argv.slice(2);

if (which === '--client') {
  const port = Number(process.argv[3]);
  const count = Number(process.argv[4]);
  const sockets = [];
  const one = () =>
    new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      sockets.push(s);
      let got = '';
      s.on('data', (d) => {
        got += d.toString('latin1');
        if (got.includes('Hello, world!')) resolve();
      });
      s.on('error', reject);
      s.write('GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    });
  for (let i = 0; i < count; i += 100) await Promise.all(Array.from({ length: Math.min(100, count - i) }, one));
  process.send('ready');
  process.on('message', () => process.exit(0));
} else {
  if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc');
  const count = Number(countArg && !countArg.startsWith('--') ? countArg : 5000);
  const snapAt = process.argv.indexOf('--snapshot');
  let port;
  if (which === 'node-http') {
    const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
      res.setHeader('Content-Type', 'text/plain');
      res.end('Hello, world!\n');
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    port = server.address().port;
  } else if (which === 'basehttp') {
    const { HTTPServer } = await import('../dist/index.js');
    const { default: Hello } = await import('./servers/hello-handler.mjs');
    class Quiet extends Hello {
      logRequest() {}
    }
    class Server extends HTTPServer {
      keepAliveTimeoutMs = 60_000;
      requestQueueSize = 511;
    }
    const server = new Server(['127.0.0.1', 0], Quiet);
    await server.ready;
    void server.serveForever();
    port = server.serverPort;
  } else {
    throw new Error(`unknown server ${JSON.stringify(which)} (basehttp or node-http)`);
  }
  global.gc();
  const before = process.memoryUsage();
  const client = fork(new URL(import.meta.url).pathname, ['--client', String(port), String(count)]);
  await new Promise((resolve, reject) => {
    client.once('message', resolve);
    client.once('exit', (code) => reject(new Error(`client exited with ${code}`)));
  });
  global.gc();
  global.gc();
  const after = process.memoryUsage();
  const per = (k) => Math.round((after[k] - before[k]) / count);
  console.log(JSON.stringify({ server: which, connections: count, heapUsedPerConnection: per('heapUsed'), rssPerConnection: per('rss') }));
  if (snapAt !== -1) v8.writeHeapSnapshot(process.argv[snapAt + 1]);
  client.send('bye');
  client.once('exit', () => process.exit(0));
}
