/**
 * The scenarios' pure helpers, under Node: the vLLM-style streaming measurements, the
 * outbox bookkeeping and the phase timeline. (They import nothing from k6.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRequest, measure, newState, onEvent } from '../../scripts/lib/llm-stream.ts';
import { countMissing, isSettled, OrderTracker, type OutboxRow } from '../../scripts/lib/outbox-check.ts';
import { phaseAt } from '../../scripts/lib/phase.ts';

const delta = (text: string) => ({ name: 'content_block_delta', data: JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }) });
const chunk = (content: string) => ({ name: '', data: JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] }) });

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
    for (const [t, text] of [[100, 'a'], [110, 'b'], [130, 'c'], [160, 'd']] as const) onEvent('anthropic', s, delta(text), t);
    onEvent('anthropic', s, { name: 'message_delta', data: JSON.stringify({ usage: { output_tokens: 4 } }) }, 165);
    onEvent('anthropic', s, { name: 'message_stop', data: '{}' }, 170);
    const m = measure(s)!;
    assert.deepEqual(m.itl, [10, 20, 30]);
    assert.equal(m.e2el, 170);
    assert.equal(m.tpot, (170 - 100) / (4 - 1));
    assert.equal(m.outputTokens, 4);
    assert.equal(m.tokensPerSecond, 4 / 0.17);
  });

  it('prefers the provider\'s usage count over the number of chunks', () => {
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
    onEvent('openai', s, { name: '', data: JSON.stringify({ choices: [{ delta: { role: 'assistant', content: '' } }] }) }, 5);
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

  it('builds each provider\'s streaming request, the key in its own header only when given', () => {
    const a = buildRequest('anthropic', 'm', 16, 'hi', 'sk-test');
    assert.equal(a.path, '/v1/messages');
    assert.equal(a.headers['x-api-key'], 'sk-test');
    assert.equal(JSON.parse(a.body).stream, true);
    const o = buildRequest('openai', 'm', 16, 'hi', '');
    assert.equal(o.path, '/v1/chat/completions');
    assert.equal(o.headers.authorization, undefined);
    assert.deepEqual(JSON.parse(o.body).stream_options, { include_usage: true });
  });
});

describe('outbox bookkeeping', () => {
  const ev = (id: string, type: string, agg = 'A') => ({ event_id: id, event_type: type, aggregate_id: agg, occurred_at: '' });

  it('accepts created then completed for one aggregate', () => {
    const t = new OrderTracker();
    assert.deepEqual(t.take(ev('1', 'llm.request.created.v1'), 'A'), []);
    assert.deepEqual(t.take(ev('2', 'llm.request.completed.v1'), 'A'), []);
  });

  it('flags a terminal event before created, created after it, and a record keyed by another id', () => {
    const t = new OrderTracker();
    assert.deepEqual(t.take(ev('1', 'llm.request.failed.v1'), 'A'), ['terminal_before_created']);
    assert.deepEqual(t.take(ev('2', 'llm.request.created.v1'), 'A'), ['created_after_terminal']);
    assert.deepEqual(t.take(ev('3', 'llm.request.created.v1', 'B'), 'A'), ['key']);
  });

  it('reports a repeated event id as a duplicate and does not count it twice', () => {
    const t = new OrderTracker();
    t.take(ev('1', 'llm.request.created.v1'), 'A');
    assert.equal(t.take(ev('1', 'llm.request.created.v1'), 'A'), 'duplicate');
    assert.equal(t.seenEventIds.size, 1);
  });

  const rows: OutboxRow[] = [
    { id: 'r1', status: 'completed', event_id: 'e1', created_ms: 1000 },
    { id: 'r1', status: 'completed', event_id: 'e2', created_ms: 9500 },
    { id: 'r2', status: 'queued', event_id: null, created_ms: null },
  ];

  it('counts as lost an unseen event older than the grace, and a request with no event at all', () => {
    assert.equal(countMissing(rows, new Set(['e1']), 10_000, 2000), 1); // e2 is still within its grace
    assert.equal(countMissing(rows, new Set(['e1']), 12_000, 2000), 2);
    assert.equal(countMissing(rows.slice(0, 2), new Set(['e1', 'e2']), 99_000, 2000), 0);
  });

  it('is settled only when every request finished and each of its events was seen', () => {
    assert.equal(isSettled(rows.slice(0, 2), new Set(['e1', 'e2'])), true);
    assert.equal(isSettled(rows.slice(0, 2), new Set(['e1'])), false);
    assert.equal(isSettled(rows, new Set(['e1', 'e2'])), false);
    assert.equal(isSettled([], new Set()), false);
  });
});

describe('phase timeline', () => {
  const stages: Array<[string, number]> = [['first', 10], ['middle', 10], ['last', 10]];

  it('names the span a moment falls in, ends exclusive', () => {
    assert.equal(phaseAt(stages, 1000, 1000), 'first');
    assert.equal(phaseAt(stages, 1000, 1010), 'middle');
    assert.equal(phaseAt(stages, 1000, 1029), 'last');
  });

  it('keeps the last name past the end (iterations still running in the graceful stop)', () => {
    assert.equal(phaseAt(stages, 1000, 5000), 'last');
  });
});
