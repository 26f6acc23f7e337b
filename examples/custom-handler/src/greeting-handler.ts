// A handler module for HANDLER_MODULE, in TypeScript. The Dockerfile's build stage compiles it
// against the image's own `basehttp` (its dist/*.d.ts) and zod, to
// /app/handlers/greeting-handler.js; the service loads that file's default export.
import { defineRoutes, HTTPError, RouteHandler, type RouteArgs, type RouteMethods } from 'basehttp';
import { z } from 'zod';

const Who = z.object({ name: z.string().trim().min(1).max(100).default('world') });
const NewGreeting = z.object({
  name: z.string().trim().min(1).max(100),
  language: z.enum(['en', 'fr', 'de']).default('en'),
});
const WORDS = { en: 'hello', fr: 'bonjour', de: 'hallo' } as const;

const routes = defineRoutes({
  'GET /hello': { call: 'hello', query: Who },
  'GET /hello/:name': 'helloName',
  'POST /greetings': { call: 'greet', body: NewGreeting },
});
type Routes = typeof routes;

/**
 * `GET /hello?name=…` and `GET /hello/:name` (and their HEAD) answer a JSON greeting;
 * `POST /greetings` takes `{ "name": …, "language": "en" | "fr" | "de" }` and answers 201. Every
 * other path: a problem+json 404; bad input: 400 / 415 / 422 problems.
 */
export default class GreetingHandler extends RouteHandler implements RouteMethods<Routes> {
  static routes = routes;
  // Keep-alive for clients that ask for it.
  override protocolVersion = 'HTTP/1.1';

  hello({ query }: RouteArgs<Routes, 'hello'>) {
    return { greeting: `hello, ${query.name}` };
  }

  helloName({ params }: RouteArgs<Routes, 'helloName'>) {
    if (params.name.length > 100) throw new HTTPError(400, 'a name has at most 100 characters');
    return { greeting: `hello, ${params.name}` };
  }

  greet({ body }: RouteArgs<Routes, 'greet'>) {
    this.sendJson(201, { greeting: `${WORDS[body.language]}, ${body.name}` });
  }
}
