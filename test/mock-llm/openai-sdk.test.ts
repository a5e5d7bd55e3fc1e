/** The official OpenAI SDK as a client of the stub: completions, chunk streams with usage, typed errors. */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { resolveConfig, startMockLlm, type MockLlm } from '../../mock-llm/index.ts';
import { openai } from '../../mock-llm/openai.ts';
import { Planner } from '../../mock-llm/plan.ts';
import { joinTokens } from '../../mock-llm/text.ts';
import { always, put, QUIET } from './helpers.ts';

const params = {
  model: 'gpt-mock',
  max_completion_tokens: 200,
  messages: [
    { role: 'system' as const, content: 'You are terse.' },
    { role: 'user' as const, content: 'Explain a transactional outbox.' },
  ],
};

function expected(body: Record<string, unknown>): { text: string; input: number; output: number } {
  const parsed = openai.parse(body, 4096);
  if ('error' in parsed) throw new Error(parsed.error);
  const plan = new Planner(42, resolveConfig(QUIET), true).plan(parsed);
  return { text: joinTokens(plan.tokens), input: plan.inputTokens, output: plan.tokens.length };
}

describe('OpenAI SDK against the stub', () => {
  let mock: MockLlm;
  let client: OpenAI;

  before(async () => {
    mock = await startMockLlm({ seed: 42, config: QUIET });
    client = new OpenAI({ apiKey: 'test-key', baseURL: `${mock.url}/v1`, maxRetries: 0 });
  });
  after(async () => {
    await mock.stop();
  });
  afterEach(async () => {
    await put(mock.url, '/__admin/config', QUIET);
  });

  it('returns the deterministic text and usage for a non-streaming completion', async () => {
    const res = await client.chat.completions.create(params);
    const want = expected(params);
    assert.equal(res.object, 'chat.completion');
    assert.equal(res.choices.length, 1);
    assert.equal(res.choices[0]?.message.role, 'assistant');
    assert.equal(res.choices[0]?.message.content, want.text);
    assert.equal(res.choices[0]?.finish_reason, 'stop');
    assert.deepEqual(res.usage && [res.usage.prompt_tokens, res.usage.completion_tokens, res.usage.total_tokens], [
      want.input,
      want.output,
      want.input + want.output,
    ]);
  });

  it('streams chunks that add up to the same text, ending with a usage chunk when asked', async () => {
    const stream = await client.chat.completions.create({
      ...params,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined = null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      assert.equal(chunk.object, 'chat.completion.chunk');
      const choice = chunk.choices[0];
      if (choice?.delta.content) text += choice.delta.content;
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    const want = expected(params);
    assert.equal(text, want.text);
    assert.equal(finish, 'stop');
    assert.equal(usage?.completion_tokens, want.output);
    assert.equal(usage?.prompt_tokens, want.input);
    assert.equal(chunks, want.output + 3); // role chunk, one per token, finish chunk, usage chunk
  });

  it('streams the same text when tokens go out one write at a time (ITL above zero)', async () => {
    await put(mock.url, '/__admin/config', { latency: { ttftMs: 1, itlMs: 1 } });
    const stream = await client.chat.completions.create({
      ...params,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, expected(params).text);
    assert.equal(usage?.completion_tokens, expected(params).output);
  });

  it('sends no usage chunk when stream_options.include_usage is not set', async () => {
    const stream = await client.chat.completions.create({ ...params, stream: true });
    let usageChunks = 0;
    for await (const chunk of stream) if (chunk.usage) usageChunks++;
    assert.equal(usageChunks, 0);
  });

  it('finishes with finish_reason length when max_tokens caps the reply', async () => {
    const res = await client.chat.completions.create({ ...params, max_completion_tokens: 2 });
    assert.equal(res.choices[0]?.finish_reason, 'length');
    assert.equal(res.usage?.completion_tokens, 2);
  });

  it('lists the configured models', async () => {
    const page = await client.models.list();
    const ids = page.data.map((m) => m.id);
    assert.deepEqual(ids, resolveConfig(QUIET).models);
  });

  it('surfaces a simulated 429 as RateLimitError with retry-after', async () => {
    await put(mock.url, '/__admin/config', always('rateLimit'));
    const err = await client.chat.completions.create(params).catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.RateLimitError, String(err));
    assert.equal(err.status, 429);
    assert.equal(err.headers?.get('retry-after'), '1');
    assert.equal(err.code, 'rate_limit_exceeded');
  });

  it('surfaces a simulated overload as a 503 InternalServerError', async () => {
    await put(mock.url, '/__admin/config', always('overloaded'));
    const err = await client.chat.completions.create(params).catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.InternalServerError, String(err));
    assert.equal(err.status, 503);
  });

  it('surfaces a simulated 500 as InternalServerError', async () => {
    await put(mock.url, '/__admin/config', always('serverError'));
    const err = await client.chat.completions.create(params).catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.InternalServerError, String(err));
    assert.equal(err.status, 500);
    assert.equal(err.type, 'server_error');
  });

  it('surfaces a mid-stream error chunk as an APIError while iterating', async () => {
    await put(mock.url, '/__admin/config', always('midStreamError'));
    const stream = await client.chat.completions.create({ ...params, stream: true });
    const err = await (async () => {
      for await (const _ of stream) {
        // consume until the error chunk
      }
    })().catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.APIError, String(err));
  });

  it('reports a wrong role as a BadRequestError naming the field', async () => {
    const bad = { ...params, messages: [{ role: 'robot', content: 'x' }] } as unknown as typeof params;
    const err = await client.chat.completions.create(bad).catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.BadRequestError, String(err));
    assert.equal(err.param, 'messages[0].role');
  });
});
