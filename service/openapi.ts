/**
 * The API's route table and its OpenAPI 3.1 document (`GET /openapi.json`). The table
 * answers 405 + Allow for a known path with another method (api.ts); the document is
 * built from it and from the JSON Schemas the validator reads (schemas.ts).
 */
import {
  batchSchema,
  CREATED_SCHEMA,
  ERROR_SCHEMA,
  REQUEST_ITEM_SCHEMA,
  REQUEST_VIEW_SCHEMA,
  type JsonSchema,
} from './schemas.ts';

type Method = 'GET' | 'POST';

interface Operation {
  summary: string;
  /** The JSON request body's schema (then 413 and 415 are answers too). */
  body?: (batchMax: number) => JsonSchema;
  /** Status → description and JSON schema (or `text` for a plain-text body). */
  responses: Record<string, { description: string; schema?: JsonSchema; text?: true }>;
}

interface RouteSpec {
  /** OpenAPI path template: `{id}` is a path parameter. */
  path: string;
  /** Served by the api role only. */
  api: boolean;
  operations: Partial<Record<Method, Operation>>;
}

/** Path parameters: what api.ts checks them against (isUuid). */
const PATH_PARAMS: Record<string, JsonSchema> = { id: { type: 'string', format: 'uuid' } };

const error = (description: string) => ({ description, schema: { $ref: '#/components/schemas/Error' } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const BAD = error('Invalid input: `error.field` names the first problem, `error.problems` lists them all');

export const ROUTE_SPECS: RouteSpec[] = [
  {
    path: '/v1/requests',
    api: true,
    operations: {
      POST: {
        summary: 'Submit one LLM request (queued for the workers)',
        body: () => REQUEST_ITEM_SCHEMA,
        responses: {
          '202': { description: 'Accepted and queued', schema: ref('Created') },
          '200': { description: 'The client_request_id exists already: that request', schema: ref('RequestView') },
          '400': BAD,
        },
      },
    },
  },
  {
    path: '/v1/batch',
    api: true,
    operations: {
      POST: {
        summary: 'Submit 1..BATCH_MAX requests in one transaction',
        body: batchSchema,
        responses: {
          '202': {
            description: 'All accepted and queued',
            schema: {
              type: 'object',
              properties: { items: { type: 'array', items: ref('Created') } },
              required: ['items'],
            },
          },
          '400': BAD,
          '409': error('A client_request_id repeats an earlier item or an existing request; nothing was written'),
        },
      },
    },
  },
  {
    path: '/v1/requests/{id}',
    api: true,
    operations: {
      GET: {
        summary: 'One request, its result and timings',
        responses: {
          '200': { description: 'The request', schema: ref('RequestView') },
          '400': error('The id is not a UUID'),
          '404': error('No such request'),
        },
      },
    },
  },
  {
    path: '/healthz',
    api: false,
    operations: {
      GET: {
        summary: 'Readiness of PostgreSQL, Redis (and Kafka with the relay)',
        responses: {
          '200': { description: 'Every check ok', schema: ref('Health') },
          '503': { description: 'A check failed', schema: ref('Health') },
        },
      },
    },
  },
  {
    path: '/metrics',
    api: false,
    operations: {
      GET: { summary: 'Prometheus metrics', responses: { '200': { description: 'Text format', text: true } } },
    },
  },
  {
    path: '/openapi.json',
    api: false,
    operations: {
      GET: {
        summary: 'This document',
        responses: { '200': { description: 'OpenAPI 3.1', schema: { type: 'object' } } },
      },
    },
  },
];

/** The methods a path accepts (HEAD with GET, as fastify serves it), or null for an unknown path. */
export function allowedMethods(path: string, serveApi: boolean): string[] | null {
  for (const spec of ROUTE_SPECS) {
    if (spec.api && !serveApi) continue;
    const re = new RegExp('^' + spec.path.replace(/\{[^}]+\}/g, '[^/]+') + '/?$');
    if (!re.test(path)) continue;
    const methods = Object.keys(spec.operations);
    return methods.includes('GET') ? [...methods, 'HEAD'] : methods;
  }
  return null;
}

function operation(op: Operation, path: string, batchMax: number): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  const all = { ...op.responses };
  if (op.body) {
    all['413'] = error('The body is over BODY_LIMIT_BYTES');
    all['415'] = error('The body is not application/json');
  }
  // fastify answers while closing, before any handler: {error, message, statusCode}.
  all['503'] ??= { description: 'The service is shutting down', schema: { type: 'object' } };
  for (const [status, r] of Object.entries(all)) {
    const media = r.text ? 'text/plain' : 'application/json';
    responses[status] = {
      description: r.description,
      content: { [media]: { schema: r.schema ?? { type: 'string' } } },
    };
  }
  const out: JsonSchema = { summary: op.summary, responses };
  if (op.body) out.requestBody = { required: true, content: { 'application/json': { schema: op.body(batchMax) } } };
  const params = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: PATH_PARAMS[m[1]!] ?? { type: 'string' },
  }));
  if (params.length) out.parameters = params;
  return out;
}

/** The OpenAPI 3.1 document of the routes this process serves. */
export function openApiDocument(opts: { serveApi: boolean; batchMax: number }): JsonSchema {
  const paths: Record<string, JsonSchema> = {};
  for (const spec of ROUTE_SPECS) {
    if (spec.api && !opts.serveApi) continue;
    const item: JsonSchema = {};
    for (const [method, op] of Object.entries(spec.operations))
      item[method.toLowerCase()] = operation(op, spec.path, opts.batchMax);
    paths[spec.path] = item;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'k6-llm-perf reference service',
      version: '1.0.0',
      description:
        'The service under test: takes LLM requests over HTTP, queues them in Redis, stores results in PostgreSQL, publishes events through an outbox to Kafka.',
    },
    paths,
    components: {
      schemas: {
        Created: CREATED_SCHEMA,
        RequestView: REQUEST_VIEW_SCHEMA,
        Error: ERROR_SCHEMA,
        Health: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
  };
}
