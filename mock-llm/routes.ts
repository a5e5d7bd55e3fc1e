/**
 * The stub's route table: every path, the methods it answers, which take a JSON body,
 * and what each answers. server.ts and admin.ts route through it (an unknown method on a
 * known path is 405 with `Allow`; a JSON body in another content type is 415), and
 * `GET /openapi.json` is built from it with the request schemas the parsers share
 * (request-schemas.ts) and the config file's schema (config.schema.json).
 */
import { readFileSync } from 'node:fs';
import { CONFIG_SCHEMA_PATH } from './config-schema.ts';
import { anthropicRequestSchema, openAiRequestSchema, type JsonSchema } from './request-schemas.ts';

/** Who handles a route, and in which error shape it answers. */
export type RouteGroup = 'anthropic' | 'openai' | 'admin' | 'open';

export type Method = 'GET' | 'POST' | 'PUT';

export interface Operation {
  /** The operationId; names the admin handler too (admin.ts). */
  id: string;
  summary: string;
  /** The JSON request body's schema: the body must come as application/json (else 415). */
  body?: () => JsonSchema;
  /** Status → description, and the JSON schema of the body (a `stream` answer is text/event-stream too). */
  responses: Record<
    string,
    {
      description: string;
      schema: JsonSchema;
      stream?: true;
      /** The answer's media type when it is not JSON (e.g. Prometheus text). */
      mediaType?: string;
      /** An empty body (vLLM's /health). */
      empty?: true;
    }
  >;
}

export interface Route {
  path: string;
  group: RouteGroup;
  methods: Partial<Record<Method, Operation>>;
}

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const OBJECT = { type: 'object' };

/** Statuses every generation route can answer; the 429/5xx ones only when errors are simulated. */
function generationResponses(provider: 'Anthropic' | 'OpenAi'): Operation['responses'] {
  const err = ref(`${provider}Error`);
  const overloaded = provider === 'Anthropic' ? '529' : '503';
  return {
    '200': { description: 'The completion (text/event-stream with stream: true)', schema: OBJECT, stream: true },
    '400': { description: 'Invalid request, naming the field', schema: err },
    '413': { description: 'Body over maxBodyBytes', schema: err },
    '415': { description: 'Body not sent as application/json', schema: err },
    '429': { description: 'Simulated rate limit (errors.rateLimit)', schema: err },
    '500': { description: 'Simulated server error (errors.serverError)', schema: err },
    [overloaded]: { description: 'Simulated overload (errors.overloaded)', schema: err },
  };
}

const FORBIDDEN = { description: 'Not from a loopback address', schema: ref('AdminError') };

export const ROUTES: Route[] = [
  {
    path: '/v1/messages',
    group: 'anthropic',
    methods: {
      POST: {
        id: 'anthropicMessages',
        summary: 'Anthropic Messages',
        body: anthropicRequestSchema,
        responses: generationResponses('Anthropic'),
      },
    },
  },
  {
    path: '/v1/chat/completions',
    group: 'openai',
    methods: {
      POST: {
        id: 'openaiChatCompletions',
        summary: 'OpenAI Chat Completions',
        body: openAiRequestSchema,
        responses: generationResponses('OpenAi'),
      },
    },
  },
  {
    path: '/v1/models',
    group: 'anthropic',
    methods: {
      GET: {
        id: 'models',
        summary: 'The configured models (a list both SDKs read)',
        responses: { '200': { description: 'Model list', schema: ref('ModelList') } },
      },
    },
  },
  {
    path: '/healthz',
    group: 'open',
    methods: {
      GET: { id: 'healthz', summary: 'Liveness', responses: { '200': { description: 'Up', schema: OBJECT } } },
    },
  },
  {
    path: '/health',
    group: 'open',
    methods: {
      GET: {
        id: 'health',
        summary: "Liveness at vLLM's path",
        responses: { '200': { description: 'Up (an empty body, as vLLM answers)', schema: OBJECT, empty: true } },
      },
    },
  },
  {
    path: '/metrics',
    group: 'open',
    methods: {
      GET: {
        id: 'metrics',
        summary: "Prometheus metrics under vLLM's names",
        responses: {
          '200': { description: 'Prometheus text exposition', schema: { type: 'string' }, mediaType: 'text/plain' },
          '404': { description: 'Metrics are off', schema: OBJECT },
        },
      },
    },
  },
  {
    path: '/openapi.json',
    group: 'open',
    methods: {
      GET: {
        id: 'openapi',
        summary: 'This document',
        responses: { '200': { description: 'OpenAPI 3.1', schema: OBJECT } },
      },
    },
  },
  {
    path: '/__admin/config',
    group: 'admin',
    methods: {
      GET: {
        id: 'getConfig',
        summary: 'The running config, plus performanceMode',
        responses: { '200': { description: 'Config', schema: OBJECT }, '403': FORBIDDEN },
      },
      PUT: {
        id: 'putConfig',
        summary: 'Merge a partial config (and performanceMode) onto the running one; nothing changes when invalid',
        body: configPatchSchema,
        responses: {
          '200': { description: 'The new config', schema: OBJECT },
          '400': { description: 'Every problem, by JSON path', schema: ref('AdminError') },
          '403': FORBIDDEN,
          '413': { description: 'Body over 64 KiB', schema: ref('AdminError') },
          '415': { description: 'Body not sent as application/json', schema: ref('AdminError') },
        },
      },
    },
  },
  {
    path: '/__admin/stats',
    group: 'admin',
    methods: {
      GET: {
        id: 'stats',
        summary: 'Counters',
        responses: { '200': { description: 'Stats', schema: OBJECT }, '403': FORBIDDEN },
      },
    },
  },
  {
    path: '/__admin/reset',
    group: 'admin',
    methods: {
      POST: {
        id: 'reset',
        summary: 'Zero the counters and the occurrence table',
        responses: { '200': { description: 'Done', schema: OBJECT }, '403': FORBIDDEN },
      },
    },
  },
];

const BY_PATH = new Map(ROUTES.map((r) => [r.path, r]));

export function routeOf(path: string): Route | undefined {
  return BY_PATH.get(path);
}

/** True for the generation routes (POST /v1/messages, POST /v1/chat/completions). */
export function isGeneration(route: Route): route is Route & { group: 'anthropic' | 'openai' } {
  return (route.group === 'anthropic' || route.group === 'openai') && route.methods.POST !== undefined;
}

/** The `Allow` header of a route: its methods, and HEAD with GET (node:http answers HEAD without the body). */
export function allowOf(route: Route): string {
  return Object.keys(route.methods)
    .flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m]))
    .join(', ');
}

/** The operation for a method (HEAD runs GET's), or undefined. */
export function operationOf(route: Route, method: string | undefined): Operation | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  return route.methods[m as Method];
}

/** True when the content-type header names JSON (`application/json`, any parameters). */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const semi = header.indexOf(';');
  return (semi < 0 ? header : header.slice(0, semi)).trim().toLowerCase() === 'application/json';
}

/**
 * The config file's schema (draft-07) as PUT's body: `#/definitions/x` become components
 * (`MockConfig_x`), `$schema`/`$id` dropped (an `$id` would move the base of those refs),
 * and `performanceMode` added.
 */
function configPatchSchema(): JsonSchema {
  const text = readFileSync(CONFIG_SCHEMA_PATH, 'utf8').replace(
    /"#\/definitions\/([^"]+)"/g,
    '"#/components/schemas/MockConfig_$1"',
  );
  const { $schema: _s, $id: _i, definitions: _d, ...schema } = JSON.parse(text) as JsonSchema;
  const properties = { ...(schema.properties as JsonSchema), performanceMode: { type: 'boolean' } };
  return { ...schema, properties };
}

export function configDefinitions(): Record<string, JsonSchema> {
  const text = readFileSync(CONFIG_SCHEMA_PATH, 'utf8').replace(
    /"#\/definitions\/([^"]+)"/g,
    '"#/components/schemas/MockConfig_$1"',
  );
  const defs = (JSON.parse(text) as { definitions?: Record<string, JsonSchema> }).definitions ?? {};
  return Object.fromEntries(Object.entries(defs).map(([k, v]) => [`MockConfig_${k}`, v]));
}
