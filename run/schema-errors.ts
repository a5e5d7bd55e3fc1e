/**
 * Turns ajv's raw errors into one line per problem: `<file>: <JSON pointer>: <what was expected>`.
 *
 * The schema annotates nodes with `x-expected` (a human phrase). For an `anyOf` failure the
 * branch whose `type` matches the value's type is reported in detail (e.g. a bad `abortOnFail`
 * inside an object), otherwise the `anyOf` node's own phrase ("must be a string or {...}").
 */
import type { ErrorObject } from 'ajv';

type Schema = { 'x-expected'?: string; type?: string };

function pointerGet(data: unknown, pointer: string): unknown {
  if (pointer === '') return data;
  let node: unknown = data;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function expected(err: ErrorObject): string {
  const schema = (err.parentSchema ?? {}) as Schema;
  const escapedPointer = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');
  switch (err.keyword) {
    case 'additionalProperties': {
      const prop = String((err.params as { additionalProperty: string }).additionalProperty);
      return `unknown field "${prop}"${schema['x-expected'] ? ` (expected ${schema['x-expected']})` : ''}`;
    }
    case 'required': {
      const prop = String((err.params as { missingProperty: string }).missingProperty);
      return `missing field "${prop}"`;
    }
    case 'propertyNames': {
      const name = String((err.params as { propertyName: string }).propertyName);
      return `key "${escapedPointer(name)}" is not ${((err.schema ?? {}) as Schema)['x-expected'] ?? 'allowed'}`;
    }
    default:
      return schema['x-expected'] ? `must be ${schema['x-expected']}` : (err.message ?? 'is invalid');
  }
}

/** The anyOf errors' branch errors share the anyOf's schemaPath prefix. */
function isBranchOf(err: ErrorObject, anyOf: ErrorObject): boolean {
  return err !== anyOf && err.schemaPath.startsWith(`${anyOf.schemaPath}/`);
}

function branchType(err: ErrorObject, anyOf: ErrorObject): string | undefined {
  const rest = err.schemaPath.slice(anyOf.schemaPath.length + 1); // "<index>/..."
  const index = Number(rest.split('/')[0]);
  const branches = (anyOf.schema ?? []) as Schema[];
  return Array.isArray(branches) ? branches[index]?.type : undefined;
}

/** The branch's own `type` failed (as opposed to an error nested inside the branch). */
function isBranchTypeError(err: ErrorObject, anyOf: ErrorObject): boolean {
  return /^\d+\/type$/.test(err.schemaPath.slice(anyOf.schemaPath.length + 1));
}

/** Selects the errors worth showing: per anyOf either the matching branch's errors or the anyOf itself. */
function select(errors: ErrorObject[], data: unknown): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  for (const anyOf of errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')) {
    const branch = errors.filter((e) => isBranchOf(e, anyOf));
    const valueType = jsonType(pointerGet(data, anyOf.instancePath));
    const typed = branch.filter((e) => {
      const t = branchType(e, anyOf);
      return t !== undefined && (t === valueType || (t === 'number' && valueType === 'integer'));
    });
    const detailed = typed.filter((e) => !isBranchTypeError(e, anyOf));
    if (detailed.length > 0) {
      dropped.add(anyOf);
      for (const e of branch) if (!detailed.includes(e)) dropped.add(e);
    } else {
      for (const e of branch) dropped.add(e);
    }
  }
  // A propertyNames failure also reports a pattern error on the key itself: keep the clearer one.
  for (const e of errors) if (e.keyword === 'pattern' && e.propertyName !== undefined) dropped.add(e);
  return errors.filter((e) => !dropped.has(e));
}

/** One message per problem, `<file>: <pointer>: <expected>`; the pointer of the document root is `/`. */
export function formatSchemaErrors(file: string, errors: ErrorObject[], data: unknown): string[] {
  const lines = select(errors, data).map((e) => `${file}: ${e.instancePath || '/'}: ${expected(e)}`);
  return [...new Set(lines)];
}
