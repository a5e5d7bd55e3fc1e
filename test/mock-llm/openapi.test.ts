/**
 * The stub's HTTP contract: `GET /openapi.json` (an OpenAPI 3.1 document listing every
 * route of the table, with request schemas that accept what the parsers accept), 415 for
 * a JSON body in another content type, 405 with `Allow` for another method on a known path.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { anthropic } from '../../mock-llm/anthropic.ts';
import { startMockLlm, type MockLlm } from '../../mock-llm/index.ts';
import { openai } from '../../mock-llm/openai.ts';
import { anthropicRequestSchema, openAiRequestSchema } from '../../mock-llm/request-schemas.ts';
import { ROUTES } from '../../mock-llm/routes.ts';
import { openApi31Problems, operationsOf } from '../helpers/openapi.ts';
import { anthropicRequest, openaiRequest, QUIET } from './helpers.ts';

const EVERY_ROUTE = [
  'POST /v1/messages',
  'POST /v1/chat/completions',
  'GET /v1/models',
  'GET /healthz',
  'GET /health',
  'GET /metrics',
  'GET /openapi.json',
  'GET /__admin/config',
  'PUT /__admin/config',
  'GET /__admin/stats',
  'POST /__admin/reset',
];

describe('the stub OpenAPI document and HTTP semantics', () => {
  let mock: MockLlm;
  before(async () => {
    mock = await startMockLlm({ config: QUIET });
  });
  after(async () => {
    await mock.stop();
  });

  const send = (method: string, path: string, body?: string, contentType?: string) =>
    fetch(mock.url + path, {
      method,
      body,
      headers: contentType === undefined ? {} : { 'content-type': contentType },
    });

  it('serves an OpenAPI 3.1 document without a structural problem', async () => {
    const res = await send('GET', '/openapi.json');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(openApi31Problems(await res.json()), []);
  });

  it('lists every route of the table, and nothing else', async () => {
    const doc = (await (await send('GET', '/openapi.json')).json()) as Parameters<typeof operationsOf>[0];
    const table = ROUTES.flatMap((r) => Object.keys(r.methods).map((m) => `${m} ${r.path}`));
    assert.deepEqual(operationsOf(doc).sort(), [...EVERY_ROUTE].sort());
    assert.deepEqual(table.sort(), [...EVERY_ROUTE].sort());
  });

  it('answers every documented operation (no 404 or 405)', async () => {
    for (const op of EVERY_ROUTE) {
      const [method, path] = op.split(' ') as [string, string];
      const body =
        path === '/v1/messages' ? anthropicRequest('hi') : path.startsWith('/v1/chat') ? openaiRequest('hi') : {};
      const res = await send(method, path, method === 'GET' ? undefined : JSON.stringify(body), 'application/json');
      await res.body?.cancel();
      assert.ok(res.status < 400, `${op}: ${res.status}`);
    }
  });

  const corpus: Array<[string, Record<string, unknown>]> = [
    ['a minimal request', {}],
    ['a content block array', { messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] }],
    ['a block without its field', { messages: [{ role: 'user', content: [{ type: 'text' }] }] }],
    ['an unknown block type', { messages: [{ role: 'user', content: [{ type: 'video' }] }] }],
    ['a wrong role', { messages: [{ role: 'robot', content: 'x' }] }],
    ['stream not a boolean', { stream: 'yes' }],
    ['an empty model', { model: '' }],
    ['max_tokens zero', { max_tokens: 0, max_completion_tokens: 0 }],
    [
      'an image part from the assistant',
      { messages: [{ role: 'assistant', content: [{ type: 'image_url', image_url: { url: 'u' } }] }] },
    ],
    ['extra fields', { temperature: 0.2, metadata: { a: 1 } }],
  ];
  for (const [provider, schema, base] of [
    [anthropic, anthropicRequestSchema(), anthropicRequest('x')],
    [openai, openAiRequestSchema(), openaiRequest('x')],
  ] as const) {
    it(`accepts exactly what its ${provider.name} request schema accepts, over a corpus of bodies`, () => {
      const valid = new Ajv2020({ strict: false }).compile(schema);
      for (const [name, extra] of corpus) {
        const body = { ...base, ...extra };
        const parsed = provider.parse(body, 16);
        assert.equal(
          !('error' in parsed),
          valid(body),
          `${name}: parser ${JSON.stringify(parsed)}, schema ${JSON.stringify(valid.errors)}`,
        );
      }
    });
  }

  it('answers 415 in the Anthropic error shape to a JSON body sent as text/plain', async () => {
    const res = await send('POST', '/v1/messages', JSON.stringify(anthropicRequest('x')), 'text/plain');
    assert.equal(res.status, 415);
    const json = (await res.json()) as { type: string; error: { type: string; message: string } };
    assert.equal(json.type, 'error');
    assert.equal(json.error.type, 'invalid_request_error');
    assert.match(json.error.message, /^content-type: expected application\/json, got "text\/plain"/);
  });

  it("answers 415 in OpenAI's error shape, param content-type, to a JSON body without a content type", async () => {
    const res = await fetch(mock.url + '/v1/chat/completions', {
      method: 'POST',
      body: new Blob([JSON.stringify(openaiRequest('x'))]), // a Blob without a type: no content-type header
    });
    assert.equal(res.status, 415);
    const json = (await res.json()) as { error: { param: string; code: string; message: string } };
    assert.equal(json.error.param, 'content-type');
    assert.equal(json.error.code, 'unsupported_media_type');
    assert.match(json.error.message, /got none/);
  });

  it('answers 415 in the admin error shape to a config PUT sent as form data', async () => {
    const res = await send('PUT', '/__admin/config', '{}', 'application/x-www-form-urlencoded');
    assert.equal(res.status, 415);
    assert.deepEqual(await res.json(), {
      error: 'content-type: expected application/json, got "application/x-www-form-urlencoded"',
      problems: [],
    });
  });

  it('takes application/json with parameters, in any case', async () => {
    const res = await send(
      'POST',
      '/v1/messages',
      JSON.stringify(anthropicRequest('x')),
      'Application/JSON; charset=utf-8',
    );
    assert.equal(res.status, 200);
    await res.body?.cancel();
  });

  for (const [method, path, allow] of [
    ['GET', '/v1/messages', 'POST'],
    ['PUT', '/v1/chat/completions', 'POST'],
    ['POST', '/v1/models', 'GET, HEAD'],
    ['DELETE', '/healthz', 'GET, HEAD'],
    ['POST', '/openapi.json', 'GET, HEAD'],
    ['DELETE', '/__admin/config', 'GET, HEAD, PUT'],
    ['GET', '/__admin/reset', 'POST'],
    ['PATCH', '/__admin/stats', 'GET, HEAD'],
  ]) {
    it(`answers 405 with Allow: ${allow} to ${method} ${path}`, async () => {
      const res = await send(method!, path!);
      assert.equal(res.status, 405);
      assert.equal(res.headers.get('allow'), allow);
      const json = (await res.json()) as { error: unknown };
      if (path!.startsWith('/__admin/')) assert.match(json.error as string, new RegExp(`^${method} is not allowed`));
      else assert.ok(typeof json.error === 'object');
    });
  }
});
