/**
 * The stub's OpenAPI 3.1 document (`GET /openapi.json`), built from the route table
 * (routes.ts): paths, methods, request bodies (the schemas the parsers share) and answers.
 */
import { configDefinitions, ROUTES, type Operation } from './routes.ts';
import type { JsonSchema } from './request-schemas.ts';

function operation(op: Operation): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  for (const [status, r] of Object.entries(op.responses)) {
    if (r.empty) {
      responses[status] = { description: r.description };
      continue;
    }
    const content: JsonSchema = { [r.mediaType ?? 'application/json']: { schema: r.schema } };
    if (r.stream) content['text/event-stream'] = { schema: SSE_EVENT };
    responses[status] = { description: r.description, content };
  }
  const out: JsonSchema = { operationId: op.id, summary: op.summary, responses };
  if (op.body) out.requestBody = { required: true, content: { 'application/json': { schema: op.body() } } };
  return out;
}

/** One server-sent event (OpenAPI 3.1 has no itemSchema: tools read `schema` as the per-event schema). */
const SSE_EVENT: JsonSchema = {
  type: 'object',
  properties: {
    event: { type: 'string' },
    data: { type: 'string', description: "A JSON object, or OpenAI's closing `[DONE]`" },
  },
  required: ['data'],
};

const ANTHROPIC_ERROR: JsonSchema = {
  type: 'object',
  properties: {
    type: { const: 'error' },
    error: {
      type: 'object',
      properties: { type: { type: 'string' }, message: { type: 'string' } },
      required: ['type', 'message'],
    },
    request_id: { type: 'string' },
  },
  required: ['type', 'error'],
};

const OPENAI_ERROR: JsonSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        message: { type: 'string' },
        type: { type: 'string' },
        param: { type: ['string', 'null'] },
        code: { type: ['string', 'null'] },
      },
      required: ['message', 'type', 'param', 'code'],
    },
  },
  required: ['error'],
};

const ADMIN_ERROR: JsonSchema = {
  type: 'object',
  properties: { error: { type: 'string' }, problems: { type: 'array', items: { type: 'string' } } },
  required: ['error'],
};

const MODEL_LIST: JsonSchema = {
  type: 'object',
  properties: {
    object: { const: 'list' },
    data: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'string' }, object: { const: 'model' }, type: { const: 'model' } },
        required: ['id', 'object', 'type'],
      },
    },
    has_more: { type: 'boolean' },
  },
  required: ['object', 'data'],
};

let cached: string | undefined;

/** The document as JSON text (built once: it depends on nothing that changes at run time). */
export function openApiJson(): string {
  if (cached !== undefined) return cached;
  const paths: Record<string, JsonSchema> = {};
  for (const route of ROUTES) {
    const item: JsonSchema = {};
    for (const [method, op] of Object.entries(route.methods)) item[method.toLowerCase()] = operation(op);
    paths[route.path] = item;
  }
  const doc = {
    openapi: '3.1.0',
    info: {
      title: 'k6-llm-perf mock LLM',
      version: '1.0.0',
      description:
        'An LLM provider stub: Anthropic Messages and OpenAI Chat Completions, seeded, with a latency model and error simulation; the admin routes answer loopback clients only.',
    },
    paths,
    components: {
      schemas: {
        AnthropicError: ANTHROPIC_ERROR,
        OpenAiError: OPENAI_ERROR,
        AdminError: ADMIN_ERROR,
        ModelList: MODEL_LIST,
        ...configDefinitions(),
      },
    },
  };
  cached = JSON.stringify(doc);
  return cached;
}
