/**
 * The HTTP API (fastify). Routes: POST /v1/requests, POST /v1/batch,
 * GET /v1/requests/:id, GET /healthz, GET /metrics, GET /openapi.json (openapi.ts, built
 * from the route table and the schemas the validator reads). Every bad input answers
 * 400 {error: {code: 'invalid_request', field, message, problems}} (malformed JSON, nesting
 * past 64 levels, a `__proto__` key, NUL or a lone surrogate in a string: see
 * json-body.ts and validation.ts); a body that is not application/json (or has no content
 * type) 415 in the same shape; a body over the limit 413; an unknown route 404; a known
 * path with another method 405 with `Allow`.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { ResolvedConfig } from './config.ts';
import { BatchConflict, createBatch, createRequest, getRequest, type RequestRow } from './db/repository.ts';
import { BodyParseError, parseJsonBody } from './json-body.ts';
import { errorFields, type Logger } from './log.ts';
import type { TargetMetrics } from './metrics.ts';
import { allowedMethods, openApiDocument } from './openapi.ts';
import type { RedisQueue } from './queue.ts';
import { firstDuplicateIndex, isUuid, validateBatch, validateItem, type FieldProblem } from './validation.ts';

export interface ApiDeps {
  pool: pg.Pool;
  redis: Redis;
  queue: RedisQueue;
  metrics: TargetMetrics;
  config: ResolvedConfig;
  log: Logger;
  health: () => Promise<{ ok: boolean; checks: Record<string, string> }>;
  /** Whether the /v1 routes are served (the api role). */
  serveApi: boolean;
}

function invalid(reply: FastifyReply, problems: FieldProblem[], status = 400, code = 'invalid_request') {
  const first = problems[0]!;
  return reply.code(status).send({
    error: { code, field: first.field, message: `${first.field}: ${first.message}`, problems },
  });
}

/** 405 with Allow for a known path and another method, else 404. */
function noRoute(d: ApiDeps, method: string, url: string, reply: FastifyReply) {
  const path = url.split('?')[0]!;
  const allowed = allowedMethods(path, d.serveApi);
  if (allowed && !allowed.includes(method)) {
    return reply
      .code(405)
      .header('allow', allowed.join(', '))
      .send({
        error: {
          code: 'method_not_allowed',
          message: `${method} is not allowed on ${path} (allowed: ${allowed.join(', ')})`,
        },
      });
  }
  return reply.code(404).send({ error: { code: 'not_found', message: `no route ${method} ${path}` } });
}

export function toView(row: RequestRow) {
  const created = row.created_at.getTime();
  const started = row.started_at?.getTime() ?? null;
  const completed = row.completed_at?.getTime() ?? null;
  return {
    id: row.id,
    client_request_id: row.client_request_id,
    status: row.status,
    mode: row.mode,
    model: row.model,
    result: row.result,
    error: row.error,
    usage: row.input_tokens === null ? null : { input_tokens: row.input_tokens, output_tokens: row.output_tokens ?? 0 },
    attempts: row.attempts,
    timings: {
      created_at: row.created_at.toISOString(),
      started_at: row.started_at?.toISOString() ?? null,
      completed_at: row.completed_at?.toISOString() ?? null,
      queue_ms: started === null ? null : started - created,
      llm_ms: row.llm_ms,
      total_ms: completed === null ? null : completed - created,
    },
  };
}

function onError(d: ApiDeps) {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413) {
      return reply.code(413).send({
        error: { code: 'payload_too_large', message: `request body exceeds ${d.config.bodyLimitBytes} bytes` },
      });
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      const got = req.headers['content-type'];
      const message = `expected application/json, got ${got === undefined ? 'none' : JSON.stringify(got.slice(0, 100))}`;
      return invalid(reply, [{ field: 'content-type', message }], 415, 'unsupported_media_type');
    }
    // A method fastify gives a body (QUERY, ...) without a content type, on a route without it.
    if (err.code === 'FST_ERR_ROUTE_MISSING_CONTENT_TYPE') return noRoute(d, req.method, req.url, reply);
    if ((err as unknown) instanceof BodyParseError) {
      const e = err as unknown as BodyParseError;
      return invalid(reply, [{ field: e.field, message: e.detail }]);
    }
    if (err.statusCode === 400)
      return invalid(reply, [{ field: 'body', message: `expected a JSON body (${err.message})` }]);
    d.log('error', 'request failed', errorFields(err));
    return reply.code(500).send({ error: { code: 'internal_error', message: 'internal error' } });
  };
}

/**
 * After the commit the request is accepted whatever Redis says: if the XADD fails, the
 * requeue sweeper enqueues it once it has stayed queued past REQUEUE_STALE_MS.
 */
async function enqueue(d: ApiDeps, ids: string[]): Promise<void> {
  try {
    await d.queue.enqueue(d.redis, ids);
  } catch (err) {
    d.metrics.enqueueFailures.inc(ids.length);
    d.log('warn', 'enqueue failed after the commit; the requeue sweeper will retry', {
      count: ids.length,
      ...errorFields(err),
    });
  }
}

function registerV1(app: FastifyInstance, d: ApiDeps): void {
  app.post('/v1/requests', async (req, reply) => {
    const v = validateItem(req.body, '', d.config.llmModel);
    if (!v.ok) return invalid(reply, v.problems);
    const { created, row } = await createRequest(d.pool, v.value);
    if (created) {
      await enqueue(d, [row.id]);
      return reply.code(202).send(row);
    }
    const existing = await getRequest(d.pool, row.id); // the client_request_id exists: that request
    return reply.code(200).send(existing ? toView(existing) : row);
  });

  app.post('/v1/batch', async (req, reply) => {
    const v = validateBatch(req.body, d.config.batchMax, d.config.llmModel);
    if (!v.ok) return invalid(reply, v.problems);
    const dup = firstDuplicateIndex(v.value);
    if (dup >= 0) {
      return reply.code(409).send({
        error: {
          code: 'conflict',
          index: dup,
          message: `requests[${dup}].client_request_id repeats an earlier item of the batch`,
        },
      });
    }
    try {
      const items = await createBatch(d.pool, v.value);
      await enqueue(
        d,
        items.map((i) => i.id),
      );
      return reply.code(202).send({ items });
    } catch (err) {
      if (err instanceof BatchConflict)
        return reply.code(409).send({ error: { code: 'conflict', index: err.index, message: err.message } });
      throw err;
    }
  });

  app.get<{ Params: { id: string } }>('/v1/requests/:id', async (req, reply) => {
    const { id } = req.params;
    if (!isUuid(id))
      return invalid(reply, [
        { field: 'id', message: `expected a request id (UUID), got ${JSON.stringify(id.slice(0, 64))}` },
      ]);
    const row = await getRequest(d.pool, id);
    if (!row) return reply.code(404).send({ error: { code: 'not_found', message: `no request ${id}` } });
    return toView(row);
  });
}

export function buildApi(d: ApiDeps): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: d.config.bodyLimitBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  app.removeContentTypeParser('text/plain'); // JSON only: anything else is refused naming content-type
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, text, done) => {
    try {
      done(null, parseJsonBody(text as string));
    } catch (err) {
      done(err as BodyParseError, undefined);
    }
  });
  app.setErrorHandler(onError(d));
  app.setNotFoundHandler((req, reply) => noRoute(d, req.method, req.url, reply));
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    d.metrics.httpRequests.inc({ route, method: req.method, status: String(reply.statusCode) });
    d.metrics.httpDuration.observe({ route, method: req.method }, reply.elapsedTime / 1000);
  });
  if (d.serveApi) registerV1(app, d);
  app.get('/healthz', async (_req, reply) => {
    const h = await d.health();
    return reply.code(h.ok ? 200 : 503).send(h.checks);
  });
  app.get('/metrics', async (_req, reply) => {
    const text = await d.metrics.registry.metrics();
    return reply.type(d.metrics.registry.contentType).send(text);
  });
  const doc = JSON.stringify(openApiDocument({ serveApi: d.serveApi, batchMax: d.config.batchMax }));
  app.get('/openapi.json', async (_req, reply) => reply.type('application/json').send(doc));
  return app;
}
