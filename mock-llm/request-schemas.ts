/**
 * JSON Schemas (2020-12, OpenAPI 3.1's dialect) of the two generation request bodies,
 * built from the tables the parsers check against: the content block and part tables of
 * content.ts and the role sets of anthropic.ts and openai.ts. Only what the stub checks
 * is required; other fields (temperature, tools, ...) are allowed, as the real APIs allow
 * them. `GET /openapi.json` publishes them (routes.ts).
 */
import {
  ANTHROPIC_BLOCKS,
  ANTHROPIC_MESSAGE_BLOCKS,
  ANTHROPIC_SYSTEM_BLOCKS,
  OPENAI_PARTS,
  OPENAI_PARTS_BY_ROLE,
  TOOL_RESULT_BLOCKS,
  type FieldSpec,
} from './content.ts';

export type JsonSchema = Record<string, unknown>;

/** The two role sets, here so that the parsers and the schemas read the same list. */
export const ANTHROPIC_ROLES = ['user', 'assistant'] as const;
export const OPENAI_ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'] as const;

function fieldsSchema(specs: FieldSpec[]): { properties: Record<string, JsonSchema>; required: string[] } {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const f of specs) {
    properties[f.name] = f.fields ? { type: 'object', ...fieldsSchema(f.fields) } : { type: f.kind };
    if (!f.optional) required.push(f.name);
  }
  return { properties, required };
}

/** One element of a content array: an object whose `type` is one of `allowed`, with that type's fields. */
function elementSchema(table: Record<string, FieldSpec[]>, allowed: readonly string[]): JsonSchema {
  return {
    oneOf: allowed.map((type) => {
      const { properties, required } = fieldsSchema(table[type]!);
      if (table === ANTHROPIC_BLOCKS && type === 'tool_result') {
        properties.content = {
          anyOf: [{ type: 'string' }, { type: 'array', items: elementSchema(ANTHROPIC_BLOCKS, TOOL_RESULT_BLOCKS) }],
        };
      }
      return { type: 'object', properties: { type: { const: type }, ...properties }, required: ['type', ...required] };
    }),
  };
}

const nonEmpty = { type: 'string', minLength: 1 };

/** `POST /v1/messages`. */
export function anthropicRequestSchema(): JsonSchema {
  return {
    type: 'object',
    properties: {
      model: nonEmpty,
      max_tokens: { type: 'integer', minimum: 1 },
      messages: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          properties: {
            role: { enum: [...ANTHROPIC_ROLES] },
            content: {
              anyOf: [
                { type: 'string' },
                { type: 'array', items: elementSchema(ANTHROPIC_BLOCKS, ANTHROPIC_MESSAGE_BLOCKS) },
              ],
            },
          },
          required: ['role', 'content'],
        },
      },
      system: {
        anyOf: [{ type: 'string' }, { type: 'array', items: elementSchema(ANTHROPIC_BLOCKS, ANTHROPIC_SYSTEM_BLOCKS) }],
      },
      stream: { type: 'boolean' },
    },
    required: ['model', 'max_tokens', 'messages'],
  };
}

/** `POST /v1/chat/completions`: each role with the content parts it may send. */
export function openAiRequestSchema(): JsonSchema {
  const maxTokens = { type: ['integer', 'null'], minimum: 1 };
  return {
    type: 'object',
    properties: {
      model: nonEmpty,
      messages: {
        type: 'array',
        minItems: 1,
        items: {
          oneOf: OPENAI_ROLES.map((role) => ({
            type: 'object',
            properties: {
              role: { const: role },
              content: {
                anyOf: [
                  { type: ['string', 'null'] },
                  { type: 'array', items: elementSchema(OPENAI_PARTS, OPENAI_PARTS_BY_ROLE[role] ?? ['text']) },
                ],
              },
            },
            required: ['role'],
          })),
        },
      },
      max_completion_tokens: maxTokens,
      max_tokens: maxTokens,
      stream: { type: ['boolean', 'null'] },
      // Not checked: a usage chunk is sent when stream_options.include_usage is true, whatever else it holds.
      stream_options: { description: 'A usage chunk ends the stream when `include_usage` is `true`.' },
    },
    required: ['model', 'messages'],
  };
}
