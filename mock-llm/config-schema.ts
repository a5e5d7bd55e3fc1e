/**
 * Validation of a mock config file against `config.schema.json` (the schema editors read
 * through `$schema`). Each problem is one line, `json.path: what was expected, got <value>`,
 * in the dotted paths the rest of the mock's config messages use; the caller adds the file.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

export const CONFIG_SCHEMA_PATH = resolve(import.meta.dirname, 'config.schema.json');

type Schema = { 'x-expected'?: string; $ref?: string; properties?: Record<string, Schema> };

let compiled: ValidateFunction | undefined;
let definitions: Record<string, Schema> = {};

function validator(): ValidateFunction {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true });
  ajv.addKeyword({ keyword: 'x-expected', schemaType: 'string' });
  const schema = JSON.parse(readFileSync(CONFIG_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  delete schema.$schema; // draft-07 is ajv's default meta-schema
  definitions = (schema.definitions ?? {}) as Record<string, Schema>;
  compiled = ajv.compile(schema);
  return compiled;
}

/** `/errors/rateLimit` → `errors.rateLimit`; the root is `(root)`. */
function dotted(pointer: string, child?: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  return parts.length === 0 ? '(root)' : parts.join('.');
}

/** The `x-expected` phrase of a schema, following a local `#/definitions/...` reference. */
function expectedOf(schema: Schema | undefined): string | undefined {
  const ref = schema?.$ref?.match(/^#\/definitions\/(.+)$/)?.[1];
  return ref ? definitions[ref]?.['x-expected'] : schema?.['x-expected'];
}

function describeValue(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

function line(err: ErrorObject): string {
  const parent = (err.parentSchema ?? {}) as Schema;
  if (err.keyword === 'additionalProperties') {
    const prop = String((err.params as { additionalProperty: string }).additionalProperty);
    const known = Object.keys(parent.properties ?? {}).filter((k) => k !== '$schema');
    return `${dotted(err.instancePath, prop)}: unknown field (expected one of ${known.join(', ')})`;
  }
  if (err.keyword === 'required') {
    const prop = String((err.params as { missingProperty: string }).missingProperty);
    const wanted = expectedOf(parent.properties?.[prop]);
    return `${dotted(err.instancePath, prop)}: missing${wanted ? `, expected ${wanted}` : ''}`;
  }
  const wanted = parent['x-expected'] ?? err.message ?? 'a valid value';
  return `${dotted(err.instancePath)}: expected ${wanted}, got ${describeValue(err.data)}`;
}

/** Every schema problem of a parsed config file (empty when it conforms). */
export function configSchemaProblems(data: unknown): string[] {
  const validate = validator();
  if (validate(data)) return [];
  // `if` only says which `then` failed; the `then`'s own errors carry the detail.
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if');
  // A value of the wrong type also fails the keywords of the other types: report the type alone.
  const wrongType = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const kept = errors.filter((e) => e.keyword === 'type' || !wrongType.has(e.instancePath));
  return [...new Set(kept.map(line))];
}
