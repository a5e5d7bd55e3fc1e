/** The stub over raw HTTP: bad input, limits, unknown routes, the admin API. */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startMockLlm, type MockLlm } from '../../mock-llm/index.ts';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { always, anthropicRequest, openaiRequest, parseSse, post, put, QUIET, waitFor } from './helpers.ts';

const MSG = '/v1/messages';
const CHAT = '/v1/chat/completions';

describe('stub HTTP surface', () => {
  let mock: MockLlm;
  const dir = mkdtempSync(join(tmpdir(), 'mock-llm-http-'));
  const logFile = join(dir, 'requests.jsonl');

  before(async () => {
    mock = await startMockLlm({
      config: { ...QUIET, maxBodyBytes: 4096, latency: { ...QUIET.latency, ttftMs: 1 } },
      logFile,
    });
  });
  after(async () => {
    await mock.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await put(mock.url, '/__admin/config', { ...QUIET, performanceMode: false });
  });

  const anthropicBad: Array<[string, unknown, RegExp]> = [
    ['invalid JSON', '{"model": ', /invalid JSON/],
    ['a body that is not an object', '[1,2]', /body: expected a JSON object/],
    ['a missing model', { max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }, /^model:/],
    ['messages missing', { model: 'm', max_tokens: 10 }, /^messages:/],
    ['messages empty', { model: 'm', max_tokens: 10, messages: [] }, /^messages:/],
    ['messages not an array', { model: 'm', max_tokens: 10, messages: 'hi' }, /^messages:/],
    [
      'a wrong role',
      { model: 'm', max_tokens: 10, messages: [{ role: 'system', content: 'x' }] },
      /^messages\.0\.role:/,
    ],
    [
      'content of the wrong type',
      { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 5 }] },
      /^messages\.0\.content:/,
    ],
    ['max_tokens missing', { model: 'm', messages: [{ role: 'user', content: 'x' }] }, /^max_tokens: Field required/],
    ['max_tokens zero', { model: 'm', max_tokens: 0, messages: [{ role: 'user', content: 'x' }] }, /^max_tokens:/],
    [
      'stream not a boolean',
      { model: 'm', max_tokens: 5, stream: 'yes', messages: [{ role: 'user', content: 'x' }] },
      /^stream:/,
    ],
  ];
  for (const [name, body, message] of anthropicBad) {
    it(`answers 400 invalid_request_error to an Anthropic request with ${name}`, async () => {
      const res = await post(mock.url, MSG, body);
      assert.equal(res.status, 400);
      assert.match(res.headers.get('request-id') ?? '', /^req_/);
      const json = (await res.json()) as { type: string; error: { type: string; message: string } };
      assert.equal(json.type, 'error');
      assert.equal(json.error.type, 'invalid_request_error');
      assert.match(json.error.message, message);
    });
  }

  const openaiBad: Array<[string, unknown, string | null]> = [
    ['invalid JSON', '{', null],
    ['a missing model', { messages: [{ role: 'user', content: 'x' }] }, 'model'],
    ['messages empty', { model: 'm', messages: [] }, 'messages'],
    ['a wrong role', { model: 'm', messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role'],
    ['max_tokens negative', { model: 'm', max_tokens: -1, messages: [{ role: 'user', content: 'x' }] }, 'max_tokens'],
  ];
  for (const [name, body, param] of openaiBad) {
    it(`answers 400 in OpenAI's error shape to a chat request with ${name}`, async () => {
      const res = await post(mock.url, CHAT, body);
      assert.equal(res.status, 400);
      const json = (await res.json()) as { error: { type: string; param: string | null; message: string } };
      assert.equal(json.error.type, 'invalid_request_error');
      assert.equal(json.error.param, param);
      assert.ok(json.error.message.length > 0);
    });
  }

  it('answers 413 request_too_large to a body over maxBodyBytes', async () => {
    const res = await post(mock.url, MSG, anthropicRequest('x'.repeat(5000)));
    assert.equal(res.status, 413);
    const json = (await res.json()) as { error: { type: string; message: string } };
    assert.equal(json.error.type, 'request_too_large');
    assert.match(json.error.message, /4096/);
  });

  it('answers 404 not_found_error to an unknown route', async () => {
    const res = await fetch(`${mock.url}/v1/nothing`);
    assert.equal(res.status, 404);
    const json = (await res.json()) as { error: { type: string } };
    assert.equal(json.error.type, 'not_found_error');
  });

  it('answers 405 to a known route with the wrong method', async () => {
    const res = await fetch(`${mock.url}${MSG}`);
    assert.equal(res.status, 405);
    await res.body?.cancel();
  });

  it('keeps serving after every bad request above', async () => {
    const res = await post(mock.url, MSG, anthropicRequest('still alive?'));
    assert.equal(res.status, 200);
    await res.body?.cancel();
  });

  it('answers /healthz with status ok', async () => {
    const res = await fetch(`${mock.url}/healthz`);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  it('returns the running config and merges a partial PUT into it', async () => {
    const put1 = await put(mock.url, '/__admin/config', { latency: { ttftMs: { type: 'uniform', min: 1, max: 2 } } });
    assert.equal(put1.status, 200);
    const cfg = (await (await fetch(`${mock.url}/__admin/config`)).json()) as {
      latency: { ttftMs: unknown; itlMs: unknown };
      maxBodyBytes: number;
    };
    assert.deepEqual(cfg.latency.ttftMs, { type: 'uniform', min: 1, max: 2 });
    assert.equal(cfg.latency.itlMs, 0);
    assert.equal(cfg.maxBodyBytes, 4096);
  });

  it('rejects an invalid config PUT with every problem named by its JSON path', async () => {
    const res = await put(mock.url, '/__admin/config', {
      errors: { rateLimit: 3 },
      latency: { itlMs: { type: 'weird' } },
      nope: 1,
    });
    assert.equal(res.status, 400);
    const json = (await res.json()) as { problems: string[] };
    assert.ok(json.problems.some((p) => p.startsWith('errors.rateLimit:')));
    assert.ok(json.problems.some((p) => p.startsWith('latency.itlMs.type:')));
    assert.ok(json.problems.some((p) => p.startsWith('nope:')));
  });

  it('switches performance mode on and off at run time through PUT /__admin/config', async () => {
    await put(mock.url, '/__admin/config', always('rateLimit'));
    assert.equal((await post(mock.url, MSG, anthropicRequest('perf mode off'))).status, 429);
    const on = await put(mock.url, '/__admin/config', { performanceMode: true });
    assert.equal(on.status, 200);
    assert.equal(((await on.json()) as { performanceMode: boolean }).performanceMode, true);
    assert.equal((await post(mock.url, MSG, anthropicRequest('perf mode on'))).status, 200);
    const stats = (await (await fetch(`${mock.url}/__admin/stats`)).json()) as { performanceMode: boolean };
    assert.equal(stats.performanceMode, true);
    await put(mock.url, '/__admin/config', { performanceMode: false });
    assert.equal((await post(mock.url, MSG, anthropicRequest('perf mode off again'))).status, 429);
  });

  it('rejects a performanceMode that is not a boolean, naming it, and changes nothing', async () => {
    const before = await (await fetch(`${mock.url}/__admin/config`)).json();
    const res = await put(mock.url, '/__admin/config', { performanceMode: 'yes', latency: { ttftMs: 7 } });
    assert.equal(res.status, 400);
    const json = (await res.json()) as { problems: string[] };
    assert.deepEqual(json.problems, ['performanceMode: expected true or false, got "yes"']);
    assert.deepEqual(await (await fetch(`${mock.url}/__admin/config`)).json(), before);
  });

  it('counts requests by route and status, tokens in and out, and resets them', async () => {
    await fetch(`${mock.url}/__admin/reset`, { method: 'POST' });
    const ok = (await (await post(mock.url, MSG, anthropicRequest('count me'))).json()) as {
      usage: { input_tokens: number; output_tokens: number };
    };
    await (await post(mock.url, CHAT, openaiRequest('count me too', { stream: true }))).text();
    await (await post(mock.url, MSG, { model: 'm' })).text();
    const stats = (await (await fetch(`${mock.url}/__admin/stats`)).json()) as {
      requests: Record<string, Record<string, number>>;
      tokens: { input: number; output: number };
      seed: number;
    };
    assert.deepEqual(stats.requests['POST /v1/messages'], { '200': 1, '400': 1 });
    assert.deepEqual(stats.requests['POST /v1/chat/completions'], { '200': 1 });
    assert.ok(stats.tokens.output > ok.usage.output_tokens);
    assert.ok(stats.tokens.input >= ok.usage.input_tokens + 1);
    assert.equal(stats.seed, 42);
    await fetch(`${mock.url}/__admin/reset`, { method: 'POST' });
    assert.deepEqual(mock.stats().requests, {});
  });

  it('queues requests over maxConcurrency and reports the queue depth', async () => {
    await put(mock.url, '/__admin/config', { latency: { maxConcurrency: 1, ttftMs: 60_000, itlMs: 0 } });
    const ac = new AbortController();
    const pending = [1, 2, 3].map((i) =>
      fetch(mock.url + MSG, {
        method: 'POST',
        body: JSON.stringify(anthropicRequest(`queued ${i}`)),
        headers: { 'content-type': 'application/json' },
        signal: ac.signal,
      }).catch(() => 'aborted'),
    );
    await waitFor(() => mock.stats().queueDepth === 2, 5000, 'two queued requests');
    assert.equal(mock.stats().active, 1);
    ac.abort();
    await Promise.all(pending);
    await waitFor(() => mock.stats().active === 0 && mock.stats().queueDepth === 0, 5000, 'an empty queue');
  });

  it('accounts TTFT, prefill per input token and every ITL as injected latency', async () => {
    await put(mock.url, '/__admin/config', {
      latency: { ttftMs: 5, itlMs: 1, prefillMsPerInputToken: 0.5, maxConcurrency: 0 },
    });
    await fetch(`${mock.url}/__admin/reset`, { method: 'POST' });
    const res = (await (await post(mock.url, MSG, anthropicRequest('latency accounting'))).json()) as {
      usage: { input_tokens: number; output_tokens: number };
    };
    const want = 5 + 0.5 * res.usage.input_tokens + 1 * (res.usage.output_tokens - 1);
    assert.equal(mock.stats().injectedLatencyMs.total, want);
    assert.equal(mock.stats().injectedLatencyMs.requests, 1);
  });

  it('streams in SSE with ping and a message_delta that counts every delta', async () => {
    const res = await post(mock.url, MSG, anthropicRequest('sse please', { stream: true }));
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = parseSse(await res.text());
    const names = events.map((e) => e.event);
    assert.ok(names.includes('ping'));
    const deltas = names.filter((n) => n === 'content_block_delta').length;
    const md = events.find((e) => e.event === 'message_delta')?.data as { usage: { output_tokens: number } };
    assert.equal(md.usage.output_tokens, deltas);
    assert.equal(names[names.length - 1], 'message_stop');
  });

  it('sends nothing, not even headers, before the first token of a stream is due', async () => {
    await put(mock.url, '/__admin/config', { latency: { ttftMs: 60_000, itlMs: 0 } });
    const ac = new AbortController();
    let headersArrived = false;
    const statusBefore = mock.stats().requests['POST /v1/messages']?.['200'] ?? 0;
    const pending = fetch(mock.url + MSG, {
      method: 'POST',
      body: JSON.stringify(anthropicRequest('slow start', { stream: true })),
      headers: { 'content-type': 'application/json' },
      signal: ac.signal,
    })
      .then(() => (headersArrived = true))
      .catch(() => 'aborted');
    await waitFor(() => mock.stats().activeStreams === 1, 5000, 'an open stream');
    await new Promise((r) => setTimeout(r, 100)); // headers written at admission would have arrived by now
    assert.equal(headersArrived, false);
    assert.equal(mock.stats().requests['POST /v1/messages']?.['200'] ?? 0, statusBefore);
    ac.abort();
    await pending;
    await waitFor(() => mock.stats().activeStreams === 0, 5000, 'the stream to close');
  });

  it('ends an OpenAI stream with data: [DONE]', async () => {
    const events = parseSse(await (await post(mock.url, CHAT, openaiRequest('done?', { stream: true }))).text());
    assert.equal(events[events.length - 1]?.data, '[DONE]');
  });

  it('drops the connection without a response when disconnect is injected', async () => {
    await put(mock.url, '/__admin/config', { errors: { ...QUIET.errors, disconnect: 1 } });
    await assert.rejects(post(mock.url, MSG, anthropicRequest('cut me off')).then((r) => r.text()));
    assert.equal(mock.stats().injectedErrors.disconnect >= 1, true);
  });

  it('holds a hung request open until the client aborts, then forgets it', async () => {
    await put(mock.url, '/__admin/config', { errors: { ...QUIET.errors, hang: 1 } });
    const ac = new AbortController();
    const kept = post(mock.url, MSG, anthropicRequest('hang')).catch(() => 'closed by stop');
    const hung = fetch(mock.url + MSG, {
      method: 'POST',
      body: JSON.stringify(anthropicRequest('hang 2')),
      headers: { 'content-type': 'application/json' },
      signal: ac.signal,
    }).catch(() => 'aborted');
    await waitFor(() => mock.stats().hanging === 2, 5000, 'two hung requests');
    ac.abort();
    assert.equal(await hung, 'aborted');
    await waitFor(() => mock.stats().hanging === 1, 5000, 'the aborted request to be forgotten');
    void kept; // closed by stop() in after()
  });

  it('appends one JSON line per finished generation to the log file', async () => {
    await post(mock.url, MSG, anthropicRequest('log me')).then((r) => r.text());
    await waitFor(() => existsSync(logFile) && readFileSync(logFile, 'utf8').includes('"outcome"'), 5000, 'a log line');
    const lines = readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { route: string; outputTokens: number });
    assert.ok(lines.some((l) => l.route === 'POST /v1/messages' && l.outputTokens > 0));
  });
});

describe('stop()', () => {
  it('closes hung requests, open streams and queued requests, then frees the port', async () => {
    const mock = await startMockLlm({
      config: { ...QUIET, latency: { ttftMs: 10, itlMs: 1000, prefillMsPerInputToken: 0, maxConcurrency: 1 } },
    });
    const stream = post(mock.url, MSG, anthropicRequest('long stream', { stream: true })).then((r) => r.text());
    const queued = post(mock.url, MSG, anthropicRequest('queued')).then((r) => r.text());
    await put(mock.url, '/__admin/config', { errors: { ...QUIET.errors, hang: 1 } });
    const hung = post(mock.url, MSG, anthropicRequest('hung')).then((r) => r.text());
    await waitFor(
      () => mock.stats().activeStreams === 1 && mock.stats().queueDepth === 1 && mock.stats().hanging === 1,
      5000,
      'a stream, a queued and a hung request',
    );
    const before = mock.stats();
    assert.equal(before.activeStreams, 1);
    assert.equal(before.queueDepth, 1);
    assert.equal(before.hanging, 1);
    await mock.stop();
    const outcomes = await Promise.allSettled([stream, queued, hung]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['rejected', 'rejected', 'rejected'],
    );
    await assert.rejects(fetch(`${mock.url}/healthz`));
  });
});
