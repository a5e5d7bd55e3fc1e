/**
 * The scenarios' pure helpers, under Node: the vLLM-style streaming measurements, the
 * phase timeline. (They import nothing from k6.) The outbox bookkeeping and the
 * verification helper: outbox-check.test.ts, verify.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRequest, measure, newState, onEvent } from '../../scripts/lib/llm-stream.ts';
import { phaseAt } from '../../scripts/lib/phase.ts';

const delta = (text: string) => ({
  name: 'content_block_delta',
  data: JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }),
});
const chunk = (content: string) => ({
  name: '',
  data: JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] }),
});

describe('streaming measurements (vLLM definitions)', () => {
  it('takes TTFT at the first content chunk, not at the stream opening events', () => {
    const s = newState(1000);
    onEvent('anthropic', s, { name: 'message_start', data: '{}' }, 1005);
    onEvent('anthropic', s, { name: 'content_block_start', data: '{}' }, 1006);
    onEvent('anthropic', s, delta('Hello'), 1050);
    onEvent('anthropic', s, { name: 'message_stop', data: '{}' }, 1060);
    assert.equal(measure(s)!.ttft, 50);
  });

  it('computes ITL as the gaps between content chunks, TPOT as (E2EL - TTFT) / (tokens - 1)', () => {
    const s = newState(0);
    for (const [t, text] of [
      [100, 'a'],
      [110, 'b'],
      [130, 'c'],
      [160, 'd'],
    ] as const)
      onEvent('anthropic', s, delta(text), t);
    onEvent('anthropic', s, { name: 'message_delta', data: JSON.stringify({ usage: { output_tokens: 4 } }) }, 165);
    onEvent('anthropic', s, { name: 'message_stop', data: '{}' }, 170);
    const m = measure(s)!;
    assert.deepEqual(m.itl, [10, 20, 30]);
    assert.equal(m.e2el, 170);
    assert.equal(m.tpot, (170 - 100) / (4 - 1));
    assert.equal(m.outputTokens, 4);
    assert.equal(m.tokensPerSecond, 4 / 0.17);
  });

  it("prefers the provider's usage count over the number of chunks", () => {
    const s = newState(0);
    onEvent('openai', s, chunk('ab'), 10);
    onEvent('openai', s, chunk('cd'), 20);
    onEvent('openai', s, { name: '', data: JSON.stringify({ choices: [], usage: { completion_tokens: 5 } }) }, 21);
    onEvent('openai', s, { name: '', data: '[DONE]' }, 22);
    const m = measure(s)!;
    assert.equal(m.outputTokens, 5);
    assert.equal(m.tpot, (22 - 10) / 4);
  });

  it('ignores OpenAI chunks without content (the role chunk, the finish chunk)', () => {
    const s = newState(0);
    onEvent(
      'openai',
      s,
      { name: '', data: JSON.stringify({ choices: [{ delta: { role: 'assistant', content: '' } }] }) },
      5,
    );
    onEvent('openai', s, chunk('x'), 9);
    onEvent('openai', s, { name: '', data: JSON.stringify({ choices: [{ delta: {}, finish_reason: 'stop' }] }) }, 12);
    onEvent('openai', s, { name: '', data: '[DONE]' }, 13);
    assert.equal(measure(s)!.ttft, 9);
    assert.equal(measure(s)!.tpot, null);
  });

  it('gives no measurement for a stream that errored or never finished', () => {
    const broken = newState(0);
    onEvent('anthropic', broken, delta('a'), 5);
    onEvent('anthropic', broken, { name: 'error', data: '{"type":"error"}' }, 6);
    assert.equal(measure(broken), null);
    const cut = newState(0);
    onEvent('openai', cut, chunk('a'), 5);
    assert.equal(measure(cut), null);
  });

  it("builds each provider's streaming request, the key in its own header only when given", () => {
    const a = buildRequest('anthropic', 'm', 16, 'hi', 'sk-test');
    assert.equal(a.path, '/v1/messages');
    assert.equal(a.headers['x-api-key'], 'sk-test');
    assert.equal(JSON.parse(a.body).stream, true);
    const o = buildRequest('openai', 'm', 16, 'hi', '');
    assert.equal(o.path, '/v1/chat/completions');
    assert.equal(o.headers.authorization, undefined);
    assert.deepEqual(JSON.parse(o.body).stream_options, { include_usage: true });
    assert.equal(JSON.parse(o.body).ignore_eos, undefined);
  });

  it('asks for ignore_eos in both formats only when told to', () => {
    assert.equal(JSON.parse(buildRequest('openai', 'm', 16, 'hi', '', true).body).ignore_eos, true);
    assert.equal(JSON.parse(buildRequest('anthropic', 'm', 16, 'hi', '', true).body).ignore_eos, true);
    assert.equal(JSON.parse(buildRequest('anthropic', 'm', 16, 'hi', '').body).ignore_eos, undefined);
  });

  it("keeps llama-server's timings of the last chunk, and none when a field is not a number", () => {
    const timings = { prompt_n: 12, prompt_ms: 3.5, prompt_per_token_ms: 0.29, predicted_n: 2, predicted_ms: 9.25 };
    const s = newState(0);
    onEvent('openai', s, chunk('a'), 5);
    assert.equal(s.serverTimings, null);
    onEvent('openai', s, { name: '', data: JSON.stringify({ choices: [], usage: { completion_tokens: 2 }, timings }) }, 9); // prettier-ignore
    assert.deepEqual(s.serverTimings, { prompt_n: 12, prompt_ms: 3.5, predicted_n: 2, predicted_ms: 9.25 });
    const bad = newState(0);
    onEvent('openai', bad, { name: '', data: JSON.stringify({ choices: [], timings: { ...timings, prompt_ms: 'x' } }) }, 9); // prettier-ignore
    assert.equal(bad.serverTimings, null);
  });
});

describe('phase timeline', () => {
  const stages: Array<[string, number]> = [
    ['first', 10],
    ['middle', 10],
    ['last', 10],
  ];

  it('names the span a moment falls in, ends exclusive', () => {
    assert.equal(phaseAt(stages, 1000, 1000), 'first');
    assert.equal(phaseAt(stages, 1000, 1010), 'middle');
    assert.equal(phaseAt(stages, 1000, 1029), 'last');
  });

  it('keeps the last name past the end (iterations still running in the graceful stop)', () => {
    assert.equal(phaseAt(stages, 1000, 5000), 'last');
  });
});
