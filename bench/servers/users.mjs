// The route scenarios of issue 11, defined once for both servers that run them (basehttp's
// RouteHandler in routes.mjs, fastify in fastify.mjs):
//
// - `GET /users/:id`  -> 200 `{"id":"<id>"}` (application/json)
// - `POST /users`     -> the body validated by `NewUser` (zod), then 200 `{"created":"<name>"}`;
//                        a body the schema refuses gets a 4xx from both (checked before the rounds).
import { z } from 'zod';

export const NewUser = z.object({
  name: z.string().min(1).max(100),
  email: z.email(),
  age: z.number().int().min(0).max(150),
});

/** The body wrk posts (bench/lua/users-post.lua must agree). */
export const USER_BODY = '{"name":"Ann","email":"ann@example.com","age":42}';
/** A body the schema refuses (age out of range). */
export const BAD_USER_BODY = '{"name":"Ann","email":"ann@example.com","age":-1}';
/** The id wrk asks for, and the answers both servers send. */
export const USER_ID = '42';
export const USER_JSON = `{"id":"${USER_ID}"}`;
export const CREATED_JSON = '{"created":"Ann"}';
