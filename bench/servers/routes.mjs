// basehttp's RouteHandler on the route scenarios (bench/servers/users.mjs), against fastify's
// same routes: a route table, a :param, a zod-validated JSON body, values answered as JSON.
import { RouteHandler } from '../../dist/index.js';
import { BenchServer } from './bench-server.mjs';
import { HELLO, portFromEnv } from './payloads.mjs';
import { NewUser } from './users.mjs';

class Users extends RouteHandler {
  protocolVersion = 'HTTP/1.1';

  static routes = {
    'GET /hello': 'hello', // the harness's readiness poll
    'GET /users/:id': 'get',
    'POST /users': { call: 'create', body: NewUser },
  };

  hello() {
    this.sendResponse(200);
    this.sendHeader('Content-Type', 'text/plain');
    this.sendHeader('Content-Length', HELLO.length);
    this.endHeaders();
    this.wfile.write(HELLO);
  }

  get({ params }) {
    return { id: params.id };
  }

  create({ body }) {
    return { created: body.name };
  }

  // Logger off, as fastify's `logger: false`.
  logRequest() {}
}

const server = new BenchServer(['127.0.0.1', portFromEnv()], Users);
await server.ready;
await server.serveForever();
