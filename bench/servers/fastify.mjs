// Peer server: fastify 5 with its logger off, the mainstream framework users would pick.
import Fastify from 'fastify';
import { BODY_64K, HELLO, KEEP_ALIVE_TIMEOUT_MS, MAX_BODY_BYTES, portFromEnv } from './payloads.mjs';
import { NewUser } from './users.mjs';

const app = Fastify({ logger: false, bodyLimit: MAX_BODY_BYTES, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS });
// fastify only parses JSON and text by default (415 for the rest): read any other body whole,
// as one Buffer, like the other servers do.
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
// Route schemas are zod schemas, validated with safeParse: what fastify-type-provider-zod's
// validatorCompiler does, without its peer dependencies (@fastify/swagger, openapi-types).
app.setValidatorCompiler(({ schema }) => (data) => {
  const r = schema.safeParse(data);
  return r.success ? { value: r.data } : { error: r.error };
});

app.get('/hello', (_req, reply) => reply.type('text/plain').send(HELLO));
app.get('/64k', (_req, reply) => reply.type('text/plain').send(BODY_64K));
app.post('/upload', (req, reply) => reply.type('text/plain').send(`${req.body.length}\n`));

// The route scenarios (bench/servers/users.mjs).
app.get('/users/:id', (req) => ({ id: req.params.id }));
app.post('/users', { schema: { body: NewUser } }, (req) => ({ created: req.body.name }));

await app.listen({ host: '127.0.0.1', port: portFromEnv() });
