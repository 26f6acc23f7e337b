/**
 * The example app handler the service serves when `HANDLER_MODULE` is not set — and the pattern
 * to copy for your own (see README.md, "Writing and loading a handler"):
 *
 * - `GET /` (and `HEAD /`, served by the same route): a plain-text greeting, written by hand;
 * - `GET /hello/:name`: a JSON greeting (`name` percent-decoded);
 * - `POST /echo`: a JSON object of at most `maxBodyBytes` (64 KiB), validated by a zod schema,
 *   answered back as `{ "received": … }`; 415 for another media type, 413 above the limit, 400
 *   for bad JSON, 422 for JSON that is not an object;
 * - anything else: a problem+json 404 (405 with `Allow` for another method on these paths).
 *
 * A `RouteHandler`: the service adds the request id, access record and metrics (with the
 * `route` label) around any handler class.
 */
import { z } from 'zod';
import { RouteHandler } from '../http/route-handler.js';
import { defineRoutes, type RouteArgs, type RouteMethods } from '../http/route-types.js';

/** Built once: a response body that never changes is not re-encoded per request. */
const HELLO = Buffer.from('Hello, world!\n');

/** What `POST /echo` takes: a JSON object (any JSON values inside). */
const EchoBody = z.record(z.string(), z.json());

const routes = defineRoutes({
  'GET /': 'index',
  'GET /hello/:name': 'hello',
  'POST /echo': { call: 'echo', body: EchoBody },
});
type Routes = typeof routes;

/** The example application. */
export default class AppHandler extends RouteHandler implements RouteMethods<Routes> {
  static routes = routes;
  /** Keep-alive and `Content-Length` framing (the service sets its `PROTOCOL_VERSION` anyway). */
  override protocolVersion = 'HTTP/1.1';
  /** Largest JSON body `POST /echo` reads. */
  override maxBodyBytes = 64 * 1024;

  /** Answers by hand (not JSON): the route method returns nothing. */
  index(): void {
    this.sendResponse(200);
    this.sendHeader('Content-Type', 'text/plain; charset=utf-8');
    this.sendHeader('Content-Length', HELLO.length);
    this.endHeaders();
    // HEAD is served by this GET route: same headers, no body.
    if (this.command !== 'HEAD') this.wfile.write(HELLO);
  }

  hello({ params }: RouteArgs<Routes, 'hello'>): { hello: string } {
    return { hello: params.name };
  }

  echo({ body }: RouteArgs<Routes, 'echo'>): { received: typeof body } {
    return { received: body };
  }
}
