/**
 * The service's OpenAPI document: an OpenAPI 3.1 document listing every route (only the
 * ones the process serves), its request schemas accepting what validation.ts accepts,
 * and schemathesis fuzzing the running service from it (real Redis and PostgreSQL; the
 * LLM is the stub): no 5xx, no crash, every response conforming to the document.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { openApiDocument } from '../../service/openapi.ts';
import { batchSchema, REQUEST_ITEM_SCHEMA } from '../../service/schemas.ts';
import { validateBatch, validateItem } from '../../service/validation.ts';
import { openApi31Problems, operationsOf } from '../helpers/openapi.ts';
import { ensureSchemathesis, fuzz, SCHEMATHESIS_VERSION } from '../helpers/schemathesis.ts';
import { call } from './helpers.ts';
import { startStack, type Stack } from './stack.ts';

const EVERY_ROUTE = [
  'POST /v1/requests',
  'POST /v1/batch',
  'GET /v1/requests/{id}',
  'GET /healthz',
  'GET /metrics',
  'GET /openapi.json',
];
type Doc = Parameters<typeof operationsOf>[0];

describe('the service OpenAPI document', () => {
  it('lists only /healthz, /metrics and itself without the api role', () => {
    const doc = openApiDocument({ serveApi: false, batchMax: 5 }) as Doc;
    assert.deepEqual(openApi31Problems(doc), []);
    assert.deepEqual(operationsOf(doc), ['GET /healthz', 'GET /metrics', 'GET /openapi.json']);
  });

  const items: Array<[string, unknown]> = [
    ['a prompt', { prompt: 'x', mode: 'quick' }],
    ['messages', { messages: [{ role: 'assistant', content: 'x' }], mode: 'detailed', max_tokens: 8192 }],
    ['both messages and prompt', { prompt: 'x', messages: [{ role: 'user', content: 'x' }], mode: 'quick' }],
    ['neither', { mode: 'quick' }],
    ['no mode', { prompt: 'x' }],
    ['an unknown field', { prompt: 'x', mode: 'quick', temperature: 1 }],
    ['max_tokens over 8192', { prompt: 'x', mode: 'quick', max_tokens: 8193 }],
    ['an empty content', { messages: [{ role: 'user', content: '' }], mode: 'quick' }],
    ['a system role', { messages: [{ role: 'system', content: 'x' }], mode: 'quick' }],
    ['an extra message field', { messages: [{ role: 'user', content: 'x', name: 'n' }], mode: 'quick' }],
    ['a 129-character client_request_id', { prompt: 'x', mode: 'quick', client_request_id: 'c'.repeat(129) }],
    ['a 128-character model', { prompt: 'x', mode: 'quick', model: 'm'.repeat(128) }],
    ['an array', [{ prompt: 'x', mode: 'quick' }]],
  ];
  it('accepts exactly the request bodies its schemas accept, over a corpus', () => {
    const ajv = new Ajv2020({ strict: false });
    const item = ajv.compile(REQUEST_ITEM_SCHEMA);
    const batch = ajv.compile(batchSchema(2));
    for (const [name, body] of items) {
      assert.equal(validateItem(body, '', 'm').ok, item(body), `item: ${name}`);
      const b = { requests: [body] };
      assert.equal(validateBatch(b, 2, 'm').ok, batch(b), `batch: ${name}`);
    }
    const three = { requests: [items[0]![1], items[0]![1], items[0]![1]] };
    assert.equal(validateBatch(three, 2, 'm').ok, batch(three), 'batch over BATCH_MAX');
  });
});

describe('the running service under its OpenAPI document', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ batchMax: 5 });
  });
  after(async () => {
    await stack?.stop();
  });

  it('serves an OpenAPI 3.1 document listing every route', async () => {
    const r = await call('GET', `${stack.base}/openapi.json`);
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    assert.deepEqual(openApi31Problems(r.body), []);
    assert.deepEqual(operationsOf(r.body).sort(), [...EVERY_ROUTE].sort());
    assert.equal(
      r.body.paths['/v1/batch'].post.requestBody.content['application/json'].schema.properties.requests.maxItems,
      5,
    );
  });

  it('answers every generated request without a 5xx, a crash, or a response off its document', async (t) => {
    const tool = ensureSchemathesis();
    if ('skip' in tool) return t.skip(tool.skip);
    const r = await fuzz(tool.python, stack.base, {
      maxExamples: 200,
      timeoutMs: 90_000,
      // NUL is refused on purpose (PostgreSQL cannot store it; the schemas say so in prose).
      args: ['--generation-allow-x00', 'false'],
    });
    t.diagnostic(`schemathesis ${SCHEMATHESIS_VERSION}: ${r.cases} cases against the service`);
    console.log(`service fuzz: ${r.cases} cases (schemathesis ${SCHEMATHESIS_VERSION})`);
    assert.equal(r.exitCode, 0, r.output);
    assert.ok(r.cases > 100, `only ${r.cases} cases:\n${r.output}`);
    const metrics = (await call('GET', `${stack.base}/metrics`)).body as string;
    assert.deepEqual(
      metrics.split('\n').filter((l) => /^target_http_requests_total\{.*status="5\d\d"/.test(l)),
      [],
    );
    assert.equal((await call('GET', `${stack.base}/healthz`)).status, 200);
  });
});
