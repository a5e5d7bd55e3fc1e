/**
 * The API's bodies as JSON Schema (2020-12, the dialect of OpenAPI 3.1), written once:
 * validation.ts takes its field names, bounds and enums from the request schemas, and
 * openapi.ts publishes all of them at `GET /openapi.json`. A rule JSON Schema cannot say
 * (no NUL, no lone surrogate: PostgreSQL cannot store them) is in the description.
 */
import { DEFAULT_MAX_TOKENS, MODES, REQUEST_STATUSES } from './constants.ts';

export type JsonSchema = Record<string, unknown>;

const STORABLE = 'Text without NUL (\\u0000) or lone UTF-16 surrogates (PostgreSQL cannot store them).';

export const MESSAGE_SCHEMA = {
  type: 'object',
  properties: {
    role: { enum: ['user', 'assistant'] },
    content: { type: 'string', minLength: 1, description: STORABLE },
  },
  required: ['role', 'content'],
  additionalProperties: false,
} as const;

/** One request: `messages` or `prompt` (exactly one), `mode` required. */
export const REQUEST_ITEM_SCHEMA = {
  type: 'object',
  properties: {
    client_request_id: { type: 'string', minLength: 1, maxLength: 128, description: STORABLE },
    messages: { type: 'array', minItems: 1, maxItems: 1000, items: MESSAGE_SCHEMA },
    prompt: { type: 'string', minLength: 1, description: STORABLE },
    model: {
      type: 'string',
      minLength: 1,
      maxLength: 128,
      description: `${STORABLE} Defaults to the service's LLM_MODEL.`,
    },
    max_tokens: {
      type: 'integer',
      minimum: 1,
      maximum: 8192,
      description: `Defaults to ${MODES.map((m) => `${DEFAULT_MAX_TOKENS[m]} (${m})`).join(', ')}.`,
    },
    mode: { enum: [...MODES] },
  },
  required: ['mode'],
  oneOf: [{ required: ['messages'] }, { required: ['prompt'] }],
  additionalProperties: false,
} as const;

/** `POST /v1/batch`: 1..batchMax items (BATCH_MAX). */
export function batchSchema(batchMax: number): JsonSchema {
  return {
    type: 'object',
    properties: { requests: { type: 'array', minItems: 1, maxItems: batchMax, items: REQUEST_ITEM_SCHEMA } },
    required: ['requests'],
    additionalProperties: false,
  };
}

const nullable = (type: string, extra: JsonSchema = {}): JsonSchema => ({ type: [type, 'null'], ...extra });
const STATUS = { enum: [...REQUEST_STATUSES] };

/** The answer to an accepted request: 202 from POST /v1/requests, an item of POST /v1/batch. */
export const CREATED_SCHEMA: JsonSchema = {
  type: 'object',
  properties: { id: { type: 'string', format: 'uuid' }, status: STATUS, client_request_id: nullable('string') },
  required: ['id', 'status', 'client_request_id'],
};

/** A request as `GET /v1/requests/{id}` shows it (and a duplicate client_request_id answers it). */
export const REQUEST_VIEW_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    client_request_id: nullable('string'),
    status: STATUS,
    mode: { type: 'string' },
    model: { type: 'string' },
    result: nullable('string'),
    error: nullable('string'),
    usage: {
      type: ['object', 'null'],
      properties: { input_tokens: { type: 'integer' }, output_tokens: { type: 'integer' } },
      required: ['input_tokens', 'output_tokens'],
    },
    attempts: { type: 'integer' },
    timings: {
      type: 'object',
      properties: {
        created_at: { type: 'string', format: 'date-time' },
        started_at: nullable('string', { format: 'date-time' }),
        completed_at: nullable('string', { format: 'date-time' }),
        queue_ms: nullable('number'),
        llm_ms: nullable('number'),
        total_ms: nullable('number'),
      },
      required: ['created_at', 'started_at', 'completed_at', 'queue_ms', 'llm_ms', 'total_ms'],
    },
  },
  required: ['id', 'client_request_id', 'status', 'mode', 'model', 'result', 'error', 'usage', 'attempts', 'timings'],
};

/** Every error: `code` always; `field` and `problems` on 400/415, `index` on 409. */
export const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        field: { type: 'string' },
        index: { type: 'integer' },
        problems: {
          type: 'array',
          items: {
            type: 'object',
            properties: { field: { type: 'string' }, message: { type: 'string' } },
            required: ['field', 'message'],
          },
        },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
};
