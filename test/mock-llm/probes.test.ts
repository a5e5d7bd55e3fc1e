/** What real servers answer beside generation: GET /health (vLLM's), GET /v1/models, GET /metrics (vLLM's names). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startMockLlm, type MockLlm } from '../../mock-llm/index.ts';
import { openaiRequest, post, QUIET } from './helpers.ts';

/** The value of one sample line of a Prometheus exposition (`name{labels} value`). */
function sample(text: string, name: string, labels = ''): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : null;
}

describe('stub probes', () => {
  let mock: MockLlm;

  before(async () => {
    mock = await startMockLlm({
      performanceMode: true,
      config: { ...QUIET, latency: { ...QUIET.latency, ttftMs: 5, itlMs: 1 }, output: { tokens: 8 } },
    });
  });
  after(async () => {
    await mock.stop();
  });

  it("answers GET /health with 200 and an empty body, as vLLM's server does", async () => {
    const res = await fetch(`${mock.url}/health`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '');
  });

  it('answers GET /v1/models with the model list', async () => {
    const res = await fetch(`${mock.url}/v1/models`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { object: string; data: unknown[] };
    assert.equal(body.object, 'list');
    assert.ok(body.data.length > 0);
  });

  it("exposes vLLM's Prometheus metrics, counting a streamed request's tokens and timings", async () => {
    const res = await post(
      mock.url,
      '/v1/chat/completions',
      openaiRequest('probe me', { stream: true, max_tokens: 8 }),
    );
    assert.equal(res.status, 200);
    await res.text();
    const metrics = await fetch(`${mock.url}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await metrics.text();
    const model = 'model_name="gpt-mock"';
    assert.equal(sample(text, 'vllm:num_requests_running'), 0);
    assert.equal(sample(text, 'vllm:request_success_total', `${model},finished_reason="stop"`), 1);
    assert.equal(sample(text, 'vllm:prompt_tokens_total', model), 2);
    assert.equal(sample(text, 'vllm:generation_tokens_total', model), 8);
    assert.equal(sample(text, 'vllm:time_to_first_token_seconds_count', model), 1);
    assert.equal(sample(text, 'vllm:inter_token_latency_seconds_count', model), 7);
    assert.equal(sample(text, 'vllm:e2e_request_latency_seconds_count', model), 1);
    assert.match(text, /# TYPE vllm:time_to_first_token_seconds histogram/);
  });

  it('zeroes the metrics on POST /__admin/reset', async () => {
    await fetch(`${mock.url}/__admin/reset`, { method: 'POST' });
    const text = await (await fetch(`${mock.url}/metrics`)).text();
    assert.equal(sample(text, 'vllm:generation_tokens_total', 'model_name="gpt-mock"'), null);
  });
});
