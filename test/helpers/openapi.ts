/**
 * Structure checks of an OpenAPI 3.1 document, for the servers' `GET /openapi.json` tests:
 * the version, info, every path and operation with its responses, path parameters
 * declared, operation ids unique, every `$ref` resolving, and every schema compiling as
 * JSON Schema 2020-12 (OpenAPI 3.1's dialect). Returns every problem, each with its JSON pointer.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';

type Obj = Record<string, unknown>;
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const esc = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let at: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObj(at)) return undefined;
    at = at[key];
  }
  return at;
}

function checkRefs(doc: unknown, node: unknown, path: string, problems: string[]): void {
  if (Array.isArray(node)) return node.forEach((v, i) => checkRefs(doc, v, `${path}/${i}`, problems));
  if (!isObj(node)) return;
  if (typeof node.$ref === 'string' && resolvePointer(doc, node.$ref) === undefined)
    problems.push(`${path}/$ref: ${node.$ref} does not resolve`);
  for (const [k, v] of Object.entries(node)) checkRefs(doc, v, `${path}/${esc(k)}`, problems);
}

function checkOperation(doc: Obj, pathKey: string, method: string, op: unknown, ajv: Ajv2020, problems: string[]) {
  const at = `#/paths/${esc(pathKey)}/${method}`;
  if (!isObj(op)) return problems.push(`${at}: expected an operation object`);
  if (!isObj(op.responses) || Object.keys(op.responses).length === 0)
    problems.push(`${at}/responses: expected at least one response`);
  for (const [status, r] of Object.entries(isObj(op.responses) ? op.responses : {})) {
    if (!/^([1-5](\d\d|XX)|default)$/.test(status)) problems.push(`${at}/responses/${status}: not a status code`);
    if (!isObj(r) || typeof r.description !== 'string')
      problems.push(`${at}/responses/${status}: expected a description`);
    const content = isObj(r) && isObj(r.content) ? r.content : {};
    for (const [media, m] of Object.entries(content))
      compile(doc, ajv, (m as Obj).schema, `${at}/responses/${status}/content/${esc(media)}/schema`, problems);
  }
  const body = op.requestBody;
  if (body !== undefined) {
    const content = isObj(body) && isObj(body.content) ? body.content : {};
    if (Object.keys(content).length === 0) problems.push(`${at}/requestBody: expected content`);
    for (const [media, m] of Object.entries(content))
      compile(doc, ajv, (m as Obj).schema, `${at}/requestBody/content/${esc(media)}/schema`, problems);
  }
  const declared = new Set(
    (Array.isArray(op.parameters) ? op.parameters : [])
      .filter((p): p is Obj => isObj(p) && p.in === 'path' && p.required === true)
      .map((p) => p.name),
  );
  for (const m of pathKey.matchAll(/\{([^}]+)\}/g))
    if (!declared.has(m[1]))
      problems.push(`${at}/parameters: path parameter ${m[1]} is not declared (in: path, required)`);
}

function compile(doc: Obj, ajv: Ajv2020, schema: unknown, at: string, problems: string[]): void {
  if (!isObj(schema)) return void problems.push(`${at}: expected a schema object`);
  try {
    // The document itself is the schema's root, so that its `#/components/...` references resolve.
    ajv.compile({ components: doc.components, allOf: [schema] });
  } catch (err) {
    problems.push(`${at}: ${(err as Error).message}`);
  }
}

/** Every structural problem of `doc` as an OpenAPI 3.1 document; empty when it has none. */
export function openApi31Problems(doc: unknown): string[] {
  const problems: string[] = [];
  if (!isObj(doc)) return ['#: expected a JSON object'];
  if (typeof doc.openapi !== 'string' || !/^3\.1\.\d+$/.test(doc.openapi))
    problems.push(`#/openapi: expected 3.1.x, got ${JSON.stringify(doc.openapi)}`);
  const info = doc.info;
  if (!isObj(info) || typeof info.title !== 'string' || typeof info.version !== 'string')
    problems.push('#/info: expected {title, version} strings');
  if (!isObj(doc.paths)) return [...problems, '#/paths: expected an object'];
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  const ids = new Set<string>();
  for (const [pathKey, item] of Object.entries(doc.paths)) {
    if (!pathKey.startsWith('/')) problems.push(`#/paths/${esc(pathKey)}: a path starts with /`);
    if (!isObj(item)) continue;
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      checkOperation(doc, pathKey, method, op, ajv, problems);
      const id = isObj(op) ? op.operationId : undefined;
      if (typeof id === 'string' && ids.has(id))
        problems.push(`#/paths/${esc(pathKey)}/${method}: operationId ${id} repeats`);
      if (typeof id === 'string') ids.add(id);
    }
  }
  checkRefs(doc, doc, '#', problems);
  return problems;
}

/** `METHOD /path` for every operation of the document. */
export function operationsOf(doc: { paths: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(doc.paths).flatMap(([p, item]) =>
    Object.keys(item)
      .filter((m) => METHODS.has(m))
      .map((m) => `${m.toUpperCase()} ${p}`),
  );
}
