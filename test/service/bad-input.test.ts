/**
 * Integration: input that used to reach PostgreSQL (NUL characters, lone UTF-16
 * surrogates; each gave a 500) or that was reported as "not valid JSON" (a `__proto__`
 * key) is refused with 400 naming the field, against real Redis and PostgreSQL, and the
 * service still answers good requests afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, waitFinished } from './helpers.ts';
import { item, startStack, type Stack } from './stack.ts';

let stack: Stack;
let base: string;

before(async () => {
  stack = await startStack({ batchMax: 5 });
  base = stack.base;
});

after(async () => {
  await stack?.stop();
});

const NUL = /contains a NUL character \(\\u0000\) at index \d+/;
const LONE = /contains a lone UTF-16 surrogate \(\\u[0-9A-F]{4}\) at index \d+/;

async function assertRefused(path: string, body: unknown, field: string, message: RegExp): Promise<void> {
  const r = await call('POST', `${base}${path}`, body);
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.equal(r.body.error.code, 'invalid_request');
  assert.equal(r.body.error.field, field);
  assert.ok(r.body.error.message.startsWith(`${field}: `), r.body.error.message);
  assert.match(r.body.error.message, message);
}

describe('text PostgreSQL cannot store', () => {
  const cases: Array<[string, string, unknown, string, RegExp]> = [
    ['a NUL in prompt', '/v1/requests', item({ prompt: 'before\u0000after' }), 'prompt', NUL],
    [
      'a NUL in a message content',
      '/v1/requests',
      {
        mode: 'quick',
        messages: [
          { role: 'user', content: 'ok' },
          { role: 'assistant', content: '\u0000' },
        ],
      },
      'messages[1].content',
      NUL,
    ],
    ['a NUL in client_request_id', '/v1/requests', item({ client_request_id: 'id\u0000' }), 'client_request_id', NUL],
    ['a NUL in model', '/v1/requests', item({ model: 'm\u0000' }), 'model', NUL],
    ['a lone high surrogate in prompt', '/v1/requests', item({ prompt: 'broken \ud83d emoji' }), 'prompt', LONE],
    [
      'a lone low surrogate in a message content',
      '/v1/requests',
      { mode: 'quick', messages: [{ role: 'user', content: '\ude00 first' }] },
      'messages[0].content',
      LONE,
    ],
    ['a high surrogate at the very end of model', '/v1/requests', item({ model: 'model-\ud800' }), 'model', LONE],
    [
      'a NUL in a batch item',
      '/v1/batch',
      { requests: [item(), item({ prompt: 'x\u0000' })] },
      'requests[1].prompt',
      NUL,
    ],
  ];
  for (const [name, path, body, field, message] of cases) {
    it(`answers 400 naming ${field} for ${name}`, async () => {
      await assertRefused(path, body, field, message);
    });
  }

  it('accepts well-formed surrogate pairs and stores them unchanged', async () => {
    const prompt = 'emoji \ud83d\ude00 and \u{1f680}';
    const r = await call('POST', `${base}/v1/requests`, item({ prompt, client_request_id: 'pair-\u{1f600}' }));
    assert.equal(r.status, 202);
    const done = await waitFinished(base, r.body.id);
    assert.equal(done.status, 'completed');
    assert.equal(done.client_request_id, 'pair-\u{1f600}');
    const row = await stack.pool.query<{ messages: Array<{ content: string }> }>(
      'SELECT messages FROM llm_requests WHERE id = $1',
      [r.body.id],
    );
    assert.equal(row.rows[0]!.messages[0]!.content, prompt);
  });
});

describe('__proto__ keys', () => {
  const cases: Array<[string, string, string, string]> = [
    [
      'at the top of a request',
      '/v1/requests',
      '{"prompt":"x","mode":"quick","__proto__":{"admin":true}}',
      '__proto__',
    ],
    [
      'inside a message',
      '/v1/requests',
      '{"mode":"quick","messages":[{"role":"user","content":"a"},{"role":"user","content":"b","__proto__":{}}]}',
      'messages[1].__proto__',
    ],
    [
      'in a batch item',
      '/v1/batch',
      '{"requests":[{"prompt":"x","mode":"quick"},{"prompt":"y","mode":"quick","__proto__":null}]}',
      'requests[1].__proto__',
    ],
    [
      'spelled with JSON escapes',
      '/v1/requests',
      '{"prompt":"x","mode":"quick","\\u005f_proto\\u005F_":1}',
      '__proto__',
    ],
  ];
  for (const [name, path, raw, field] of cases) {
    it(`answers 400 "\`__proto__\` is not an allowed key" naming ${field} for one ${name}`, async () => {
      await assertRefused(path, raw, field, /`__proto__` is not an allowed key/);
    });
  }

  it('accepts "__proto__" as a string value (only keys are refused)', async () => {
    const r = await call('POST', `${base}/v1/requests`, item({ prompt: '__proto__' }));
    assert.equal(r.status, 202);
  });

  it('still names the body for malformed JSON and an empty body', async () => {
    await assertRefused('/v1/requests', '{"prompt": ', 'body', /expected a JSON body/);
    await assertRefused('/v1/requests', '', 'body', /expected a JSON body \(empty\)/);
  });
});

describe('deeply nested bodies', () => {
  const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

  it('answers 400 naming the 64-level limit for a value nested 5000 levels deep (quoting it in the message overflowed the stack: 500)', async () => {
    await assertRefused(
      '/v1/requests',
      `{"prompt":"x","mode":${nested(5000)}}`,
      'body',
      /JSON nested deeper than 64 levels \(at character \d+\)/,
    );
  });

  it('accepts nesting up to the limit and reports the field as usual', async () => {
    await assertRefused(
      '/v1/requests',
      `{"prompt":"x","mode":${nested(63)}}`,
      'mode',
      /expected one of quick, detailed/,
    );
  });
});

describe('after the bad input', () => {
  it('completes a good request and reports itself healthy', async () => {
    const r = await call('POST', `${base}/v1/requests`, item({ prompt: 'still here?' }));
    assert.equal(r.status, 202);
    assert.equal((await waitFinished(base, r.body.id)).status, 'completed');
    const h = await call('GET', `${base}/healthz`);
    assert.equal(h.status, 200);
    assert.deepEqual(h.body, { redis: 'ok', postgres: 'ok', kafka: 'disabled' });
  });
});
