/**
 * Types for `RouteHandler` tables, so that a route method's argument is typed from its route:
 * `params` from the pattern (`'/users/:id'` → `{ id: string }`, a final `*` → `{ '*': string }`),
 * `query` and `body` from the schemas' output types.
 *
 * ```ts
 * const routes = defineRoutes({
 *   'GET /users/:id': 'get',
 *   'POST /users': { call: 'create', body: NewUser },
 * });
 * type Routes = typeof routes;
 *
 * class Users extends RouteHandler implements RouteMethods<Routes> {
 *   static routes = routes;
 *   get({ params }: RouteArgs<Routes, 'get'>) { return { id: params.id }; }   // params.id: string
 *   create({ body }: RouteArgs<Routes, 'create'>) { return body; }           // z.output<typeof NewUser>
 * }
 * ```
 *
 * TypeScript does not type a class method's parameters from anything outside it, so the method
 * names its argument type (`RouteArgs`); `implements RouteMethods<Routes>` then makes a missing
 * method or a wrong argument type a compile error (the server refuses a missing one at start).
 */
import type { InferOutput, StandardSchemaV1 } from './standard-schema.js';

/** A route key: `'METHOD /pattern'`. */
export type RouteKey = `${string} /${string}`;

/** A route with input schemas: the method's name, and what to validate. */
export interface RouteOptions {
  readonly call: string;
  /** A JSON body, validated: 415, 413, 400, 422 when it is not right. */
  readonly body?: StandardSchemaV1;
  /** The query string as an object of strings (arrays for repeated keys), validated: 400. */
  readonly query?: StandardSchemaV1;
}

/** A `static routes` table: `'METHOD /pattern'` → method name, or {@link RouteOptions}. */
export type RouteTableSpec = { readonly [key: RouteKey]: string | RouteOptions };

/** The query of a route without a `query` schema: as `node:querystring` parses it. */
export type RawQuery = Readonly<Record<string, string | string[] | undefined>>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The pattern of a route key. */
export type PatternOf<K> = K extends `${string} ${infer P}` ? P : never;
type Segments<P extends string> = P extends `${infer Head}/${infer Rest}` ? Head | Segments<Rest> : P;
type ParamName<S> = S extends `:${infer N}` ? N : never;

/** The `params` of a pattern: `'/users/:id/*'` → `{ id: string; '*': string }`. */
export type PathParams<P extends string> = Simplify<{ [K in ParamName<Segments<P>>]: string } & (P extends `${string}/*` ? { '*': string } : unknown)>;

/** The method name a table value calls. */
export type CallOf<V> = V extends string ? V : V extends { readonly call: infer C extends string } ? C : never;
type QueryOf<V> = V extends { readonly query: infer S extends StandardSchemaV1 } ? InferOutput<S> : RawQuery;
type BodyOf<V> = V extends { readonly body: infer S extends StandardSchemaV1 } ? InferOutput<S> : undefined;

/** The argument of the route `K` of table `R`. */
export type RouteArgsOfKey<R, K extends keyof R> = {
  params: PathParams<PatternOf<K>>;
  query: QueryOf<R[K]>;
  body: BodyOf<R[K]>;
};

/** Every method name table `R` calls. */
export type RouteCalls<R> = { [K in keyof R]: CallOf<R[K]> }[keyof R];

/**
 * The argument of route method `C` of table `R` (a union when the method serves several routes).
 */
export type RouteArgs<R, C extends RouteCalls<R>> = {
  [K in keyof R]: CallOf<R[K]> extends C ? RouteArgsOfKey<R, K> : never;
}[keyof R];

/** What a handler class for table `R` must have: `class H extends RouteHandler implements RouteMethods<R>`. */
export type RouteMethods<R> = { [C in RouteCalls<R>]: (args: RouteArgs<R, C>) => unknown };

/** Every key must be `'METHOD /pattern'`. */
type CheckedKeys<R> = { [K in keyof R]: K extends RouteKey ? R[K] : never };

/**
 * Returns `routes` unchanged, keeping its literal types (keys, method names, schemas) for
 * {@link RouteArgs} and {@link RouteMethods}; a key that is not `'METHOD /pattern'` is a type
 * error. At run time the table is checked when the server starts.
 */
export function defineRoutes<const R extends RouteTableSpec>(routes: R & CheckedKeys<R>): R {
  return routes;
}
