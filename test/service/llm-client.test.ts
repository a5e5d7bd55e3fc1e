/** The LLM client's retry policy, against a scripted local HTTP server and an injected clock. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { backoffMs, LlmCallError, LlmClient, messagesEndpoint, retryAfterMs } from '../../service/llm-client.ts';

type Scripted = { status: number; headers?: Record<string, string>; body?: unknown };
let script: Scripted[] = [];
let seen: Array<{ url: string; headers: Record<string, string | string[] | undefined>; body: unknown }> = [];
let server: Server;
let url: string;

const OK: Scripted = {
  status: 200,
  body: {
    content: [
      { type: 'text', text: 'Hello' },
      { type: 'text', text: ' there' },
    ],
    usage: { input_tokens: 3, output_tokens: 2 },
  },
};

before(async () => {
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      seen.push({ url: req.url!, headers: req.headers, body: JSON.parse(data) });
      const next = script.shift() ?? OK;
      res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
      res.end(JSON.stringify(next.body ?? { type: 'error', error: { type: 'x', message: 'scripted' } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((r) => server.close(() => r())));

beforeEach(() => {
  script = [];
  seen = [];
});

function client(sleeps: number[], opts: Partial<ConstructorParameters<typeof LlmClient>[0]> = {}) {
  return new LlmClient({
    url,
    timeoutMs: 5000,
    maxRetries: 3,
    backoffBaseMs: 100,
    backoffMaxMs: 5000,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    ...opts,
  });
}

const req = { model: 'm', maxTokens: 16, messages: [{ role: 'user' as const, content: 'hi' }] };

describe('LlmClient', () => {
  it('sends an Anthropic Messages request and joins the text blocks', async () => {
    const r = await client([], { apiKey: 'k' }).complete(req);
    assert.equal(r.text, 'Hello there');
    assert.deepEqual([r.inputTokens, r.outputTokens, r.attempts], [3, 2, 1]);
    assert.equal(seen[0]!.url, '/v1/messages');
    assert.equal(seen[0]!.headers['x-api-key'], 'k');
    assert.equal(seen[0]!.headers['anthropic-version'], '2023-06-01');
    assert.deepEqual(seen[0]!.body, { model: 'm', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
  });

  it('waits what retry-after asks on a 429 and then succeeds', async () => {
    script = [{ status: 429, headers: { 'retry-after': '2' } }];
    const sleeps: number[] = [];
    const r = await client(sleeps).complete(req);
    assert.equal(r.attempts, 2);
    assert.deepEqual(sleeps, [2000]);
  });

  it('backs off exponentially with jitter on 529 and 500 without retry-after', async () => {
    script = [{ status: 529 }, { status: 500 }, { status: 503 }];
    const sleeps: number[] = [];
    const r = await client(sleeps).complete(req);
    assert.equal(r.attempts, 4);
    assert.deepEqual(sleeps, [50, 100, 200]); // random 0.5 × 100·2^n
  });

  it('gives up after maxRetries with LLM_RETRIES_EXHAUSTED naming the last status', async () => {
    script = Array(5).fill({ status: 529 });
    await assert.rejects(client([]).complete(req), (err: unknown) => {
      assert.ok(err instanceof LlmCallError);
      assert.equal(err.code, 'LLM_RETRIES_EXHAUSTED');
      assert.equal(err.attempts, 4);
      assert.equal(err.status, 529);
      return true;
    });
  });

  it('does not retry a 400', async () => {
    script = [{ status: 400 }];
    await assert.rejects(
      client([]).complete(req),
      (err: unknown) => err instanceof LlmCallError && err.code === 'LLM_HTTP_ERROR' && err.attempts === 1,
    );
  });

  it('retries a network failure', async () => {
    const sleeps: number[] = [];
    const c = new LlmClient({
      url: 'http://127.0.0.1:1',
      timeoutMs: 1000,
      maxRetries: 1,
      backoffBaseMs: 10,
      backoffMaxMs: 10,
      sleep: async (ms) => void sleeps.push(ms),
    });
    await assert.rejects(c.complete(req), (err: unknown) => err instanceof LlmCallError && err.attempts === 2);
    assert.equal(sleeps.length, 1);
  });
});

describe('retry helpers', () => {
  it('reads retry-after as seconds, as an HTTP date, and retry-after-ms first', () => {
    assert.equal(retryAfterMs({ 'retry-after': '1.5' }, 0), 1500);
    assert.equal(retryAfterMs({ 'retry-after': new Date(10_000).toUTCString() }, 4000), 6000);
    assert.equal(retryAfterMs({ 'retry-after-ms': '250', 'retry-after': '9' }, 0), 250);
    assert.equal(retryAfterMs({}, 0), undefined);
  });

  it('caps the server ask and the exponential ceiling at backoffMaxMs', () => {
    const o = { backoffBaseMs: 100, backoffMaxMs: 1000 };
    assert.equal(
      backoffMs(0, 60_000, o, () => 0.9),
      1000,
    );
    assert.equal(
      backoffMs(10, undefined, o, () => 0.999),
      999,
    );
  });

  it('appends /v1/messages to a base URL once', () => {
    assert.equal(messagesEndpoint('http://h:1/'), 'http://h:1/v1/messages');
    assert.equal(messagesEndpoint('http://h:1/v1'), 'http://h:1/v1/messages');
    assert.equal(messagesEndpoint('http://h:1/v1/messages'), 'http://h:1/v1/messages');
  });
});
