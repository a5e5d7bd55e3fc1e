/** The official Anthropic SDK as a client of the stub: replies, streams and typed errors. */
import Anthropic from '@anthropic-ai/sdk';
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { anthropic } from '../../mock-llm/anthropic.ts';
import { resolveConfig, startMockLlm, type MockLlm } from '../../mock-llm/index.ts';
import { Planner } from '../../mock-llm/plan.ts';
import { joinTokens } from '../../mock-llm/text.ts';
import { always, put, QUIET } from './helpers.ts';

const params = {
  model: 'claude-mock',
  max_tokens: 200,
  system: 'You are terse.',
  messages: [{ role: 'user' as const, content: 'Summarise the outbox pattern in one paragraph.' }],
};

/** What the stub must answer, computed from the planner alone. */
function expected(body: Record<string, unknown>): { text: string; input: number; output: number; stop: string } {
  const parsed = anthropic.parse(body, 4096);
  if ('error' in parsed) throw new Error(parsed.error);
  const plan = new Planner(42, resolveConfig(QUIET), true).plan(parsed);
  return { text: joinTokens(plan.tokens), input: plan.inputTokens, output: plan.tokens.length, stop: plan.stopReason };
}

describe('Anthropic SDK against the stub', () => {
  let mock: MockLlm;
  let client: Anthropic;

  before(async () => {
    mock = await startMockLlm({ seed: 42, config: QUIET });
    client = new Anthropic({ apiKey: 'test-key', baseURL: mock.url, maxRetries: 0 });
  });
  after(async () => {
    await mock.stop();
  });
  afterEach(async () => {
    await put(mock.url, '/__admin/config', QUIET);
  });

  it('returns the deterministic text and usage for a non-streaming request', async () => {
    const msg = await client.messages.create(params);
    const want = expected(params);
    assert.equal(msg.type, 'message');
    assert.equal(msg.role, 'assistant');
    assert.equal(msg.model, 'claude-mock');
    assert.equal(msg.content[0]?.type, 'text');
    assert.equal(msg.content[0]?.type === 'text' ? msg.content[0].text : '', want.text);
    assert.equal(msg.usage.input_tokens, want.input);
    assert.equal(msg.usage.output_tokens, want.output);
    assert.equal(msg.stop_reason, 'end_turn');
    assert.match(msg.id, /^msg_[0-9a-f]{24}$/);
  });

  it('exposes a request id header on the response', async () => {
    const { response } = await client.messages.create(params).withResponse();
    assert.match(response.headers.get('request-id') ?? '', /^req_[0-9a-f]{24}$/);
  });

  it('streams the documented event sequence with one text delta per output token', async () => {
    const stream = await client.messages.create({ ...params, stream: true });
    const types: string[] = [];
    let text = '';
    let deltas = 0;
    let outputTokens = -1;
    let stopReason: string | null = null;
    for await (const event of stream) {
      if (types[types.length - 1] !== event.type) types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
        text += event.delta.text;
        deltas++;
      }
      if (event.type === 'message_delta') {
        outputTokens = event.usage.output_tokens;
        stopReason = event.delta.stop_reason;
      }
    }
    assert.deepEqual(types, [
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const want = expected(params);
    assert.equal(text, want.text);
    assert.equal(deltas, want.output);
    assert.equal(outputTokens, want.output);
    assert.equal(stopReason, 'end_turn');
  });

  it('builds the same final message through the SDK stream helper as without streaming', async () => {
    const final = await client.messages.stream(params).finalMessage();
    const plain = await client.messages.create(params);
    assert.deepEqual(final.content, plain.content);
    assert.equal(final.usage.output_tokens, plain.usage.output_tokens);
    assert.equal(final.usage.input_tokens, plain.usage.input_tokens);
  });

  it('streams the same text when tokens go out one write at a time (ITL above zero)', async () => {
    await put(mock.url, '/__admin/config', { latency: { ttftMs: 1, itlMs: 1 } });
    const final = await client.messages.stream(params).finalMessage();
    const want = expected(params);
    assert.equal(final.content[0]?.type === 'text' ? final.content[0].text : '', want.text);
    assert.equal(final.usage.output_tokens, want.output);
  });

  it('stops at max_tokens with stop_reason max_tokens', async () => {
    const msg = await client.messages.create({ ...params, max_tokens: 3 });
    assert.equal(msg.usage.output_tokens, 3);
    assert.equal(msg.stop_reason, 'max_tokens');
  });

  it('lists the configured models through the SDK pager', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    assert.deepEqual(ids, resolveConfig(QUIET).models);
  });

  it('surfaces a simulated 429 as RateLimitError with retry-after', async () => {
    await put(mock.url, '/__admin/config', {
      ...always('rateLimit'),
      errors: { ...always('rateLimit').errors, retryAfterSeconds: 7 },
    });
    const err = await client.messages.create(params).catch((e: unknown) => e);
    assert.ok(err instanceof Anthropic.RateLimitError, String(err));
    assert.equal(err.status, 429);
    assert.equal(err.headers?.get('retry-after'), '7');
    assert.equal(err.type, 'rate_limit_error');
  });

  it('surfaces a simulated 529 as the overloaded InternalServerError', async () => {
    await put(mock.url, '/__admin/config', always('overloaded'));
    const err = await client.messages.create(params).catch((e: unknown) => e);
    assert.ok(err instanceof Anthropic.InternalServerError, String(err));
    assert.equal(err.status, 529);
    assert.equal(err.type, 'overloaded_error');
  });

  it('surfaces a simulated 500 as InternalServerError with api_error', async () => {
    await put(mock.url, '/__admin/config', always('serverError'));
    const err = await client.messages.create(params).catch((e: unknown) => e);
    assert.ok(err instanceof Anthropic.InternalServerError, String(err));
    assert.equal(err.status, 500);
    assert.equal(err.type, 'api_error');
  });

  it('surfaces a mid-stream error event as an APIError while iterating', async () => {
    await put(mock.url, '/__admin/config', always('midStreamError'));
    const stream = await client.messages.create({ ...params, stream: true });
    const err = await (async () => {
      for await (const _ of stream) {
        // consume until the error event
      }
    })().catch((e: unknown) => e);
    assert.ok(err instanceof Anthropic.APIError, String(err));
    assert.match(String(err), /overloaded/i);
  });

  it('reports a missing max_tokens as a BadRequestError naming the field', async () => {
    const { max_tokens: _, ...rest } = params;
    const err = await client.messages.create(rest as typeof params).catch((e: unknown) => e);
    assert.ok(err instanceof Anthropic.BadRequestError, String(err));
    assert.match(String(err), /max_tokens/);
  });
});
