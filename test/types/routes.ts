// Compile-time tests of the route typings: `tsc -p test/types` must pass, and every
// `@ts-expect-error` line must really be an error (tsc fails on an unused one).
import { z } from 'zod';
import { defineRoutes, HTTPError, type PathParams, RouteHandler, type RouteArgs, type RouteMethods } from 'basehttp';

const NewUser = z.object({ name: z.string().min(1), tags: z.array(z.string()).default([]) });
const Page = z.object({ limit: z.coerce.number().int().min(1).max(100).default(10) });

const routes = defineRoutes({
  'GET /users': { call: 'list', query: Page },
  'GET /users/:id': 'get',
  'GET /users/:id/posts/:post': 'post',
  'POST /users': { call: 'create', body: NewUser },
  'GET /files/*': 'file',
  'GET /teams/:team/*': 'file',
});
type Routes = typeof routes;

/** Exact type equality (not mere assignability). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

export default class Users extends RouteHandler implements RouteMethods<Routes> {
  static routes = routes;

  list({ query }: RouteArgs<Routes, 'list'>) {
    assertType<Equal<typeof query, { limit: number }>>();
    // @ts-expect-error: the schema's output is a number
    const s: string = query.limit;
    return { limit: query.limit, s };
  }

  get({ params, query, body }: RouteArgs<Routes, 'get'>) {
    assertType<Equal<typeof params, { id: string }>>();
    assertType<Equal<typeof body, undefined>>();
    const q: string | string[] | undefined = query['anything'];
    // @ts-expect-error: the pattern has no :nope
    void params.nope;
    if (params.id === '0') throw new HTTPError(404, 'no user 0');
    return { id: params.id, q };
  }

  post({ params }: RouteArgs<Routes, 'post'>) {
    assertType<Equal<typeof params, { id: string; post: string }>>();
    return params;
  }

  create({ body }: RouteArgs<Routes, 'create'>) {
    assertType<Equal<typeof body, { name: string; tags: string[] }>>();
    // @ts-expect-error: a string, not a number
    const n: number = body.name;
    this.sendJson(201, { created: body.name, n });
  }

  // Serves two routes: its argument is the union of theirs.
  file({ params }: RouteArgs<Routes, 'file'>) {
    const rest: string = params['*'];
    return { rest, team: 'team' in params ? params.team : null };
  }
}

assertType<Equal<PathParams<'/a/:x/b/:y'>, { x: string; y: string }>>();
assertType<Equal<PathParams<'/static/*'>, { '*': string }>>();
assertType<Equal<PathParams<'/'>, {}>>();

// @ts-expect-error: 'remove' is not a method of the table
export type NoSuchCall = RouteArgs<Routes, 'remove'>;

// @ts-expect-error: the class lacks the method 'file'
export class Incomplete extends RouteHandler implements RouteMethods<Routes> {
  static routes = routes;
  list() {}
  get() {}
  post() {}
  create() {}
}

export class WrongArgument extends RouteHandler implements RouteMethods<{ 'GET /u/:id': 'get' }> {
  // @ts-expect-error: the route gives params.id, not params.uid
  get({ params }: { params: { uid: number } }) {
    return params.uid;
  }
}

// @ts-expect-error: a key is 'METHOD /pattern'
defineRoutes({ 'GET users': 'list' });
// @ts-expect-error: a body is a Standard Schema
defineRoutes({ 'POST /users': { call: 'create', body: { name: 'string' } } });
// @ts-expect-error: the status is a number
new HTTPError('404');
