/**
 * Integration: the HTTP API against real Redis and PostgreSQL (local provider), the
 * worker completing requests through the mock LLM. Kafka is in outbox.test.ts.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startTarget } from '../../service/index.ts';
import { call, waitFinished, waitFor, type JsonResponse } from './helpers.ts';
import { eventsOf as eventsIn, item, settled as settledIn, startStack, type Stack } from './stack.ts';

let stack: Stack;
let base: string;

before(async () => {
  stack = await startStack({ batchMax: 5, bodyLimitBytes: 4096 });
  base = stack.base;
});

after(async () => {
  await stack?.stop();
});

const eventsOf = (id: string) => eventsIn(stack.pool, id);

/** A POST with a body and no content-type header (fetch and undici would add one). */
function rawPost(url: string, body: string): Promise<JsonResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const settled = () => settledIn(stack.pool);

/** Entries ever added to the queue stream (XINFO STREAM entries-added, Redis >= 7). */
async function entriesAdded(): Promise<number> {
  const info = (await stack.redis.xinfo('STREAM', 'llm:requests:queue')) as unknown[];
  return Number(info[info.indexOf('entries-added') + 1]);
}

describe('POST /v1/requests', () => {
  it('accepts a request with 202 and the worker completes it with the LLM answer, usage and timings', async () => {
    const r = await call('POST', `${base}/v1/requests`, {
      messages: [{ role: 'user', content: 'Hi' }],
      mode: 'detailed',
    });
    assert.equal(r.status, 202);
    assert.equal(r.body.status, 'queued');
    assert.equal(r.body.client_request_id, null);
    const done = await waitFinished(base, r.body.id);
    assert.equal(done.status, 'completed');
    assert.equal(done.mode, 'detailed');
    assert.equal(done.model, 'claude-sonnet-4-5');
    assert.ok(done.result.length > 0);
    assert.ok(done.usage.input_tokens > 0 && done.usage.output_tokens > 0);
    assert.equal(done.attempts, 1);
    assert.ok(done.timings.queue_ms >= 0 && done.timings.total_ms >= done.timings.queue_ms);
    assert.ok(done.timings.llm_ms >= 0);
  });

  it('writes a created and a completed outbox event for the request', async () => {
    const r = await call('POST', `${base}/v1/requests`, item());
    await waitFinished(base, r.body.id);
    assert.deepEqual(await eventsOf(r.body.id), ['llm.request.created.v1', 'llm.request.completed.v1']);
  });

  it('returns the existing request with 200, as GET shows it, when the client_request_id is submitted again', async () => {
    const first = await call('POST', `${base}/v1/requests`, item({ client_request_id: 'idem-1' }));
    await waitFinished(base, first.body.id);
    const again = await call('POST', `${base}/v1/requests`, item({ client_request_id: 'idem-1', prompt: 'other' }));
    assert.equal(first.status, 202);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, (await call('GET', `${base}/v1/requests/${first.body.id}`)).body);
    assert.equal(again.body.client_request_id, 'idem-1');
    assert.equal(again.body.status, 'completed');
    assert.equal(typeof again.body.timings.created_at, 'string');
  });

  it('creates one request only when the same client_request_id arrives concurrently', async () => {
    const all = await Promise.all(
      Array.from({ length: 12 }, () => call('POST', `${base}/v1/requests`, item({ client_request_id: 'race-1' }))),
    );
    assert.equal(all.filter((r) => r.status === 202).length, 1);
    assert.equal(all.filter((r) => r.status === 200).length, 11);
    assert.equal(new Set(all.map((r) => r.body.id)).size, 1);
    const rows = await stack.pool.query(
      "SELECT count(*)::int AS n FROM llm_requests WHERE client_request_id = 'race-1'",
    );
    assert.equal(rows.rows[0].n, 1);
    assert.deepEqual((await eventsOf(all[0]!.body.id)).slice(0, 1), ['llm.request.created.v1']);
  });
});

describe('POST /v1/batch', () => {
  it('accepts all items with 202, in order, and completes each', async () => {
    const r = await call('POST', `${base}/v1/batch`, {
      requests: [item({ client_request_id: 'b-1' }), item({ mode: 'detailed' }), item({ client_request_id: 'b-3' })],
    });
    assert.equal(r.status, 202);
    assert.deepEqual(
      r.body.items.map((i: { client_request_id: string | null }) => i.client_request_id),
      ['b-1', null, 'b-3'],
    );
    for (const i of r.body.items) assert.equal((await waitFinished(base, i.id)).status, 'completed');
  });

  it('answers 409 naming the index of an item that conflicts with an existing row, and writes nothing', async () => {
    await call('POST', `${base}/v1/requests`, item({ client_request_id: 'taken-1' }));
    await settled();
    const before = await stack.pool.query('SELECT count(*)::int AS n FROM llm_requests');
    const beforeEvents = await stack.pool.query('SELECT count(*)::int AS n FROM outbox_events');
    const r = await call('POST', `${base}/v1/batch`, {
      requests: [item({ client_request_id: 'fresh-1' }), item({ client_request_id: 'taken-1' })],
    });
    assert.equal(r.status, 409);
    assert.equal(r.body.error.code, 'conflict');
    assert.equal(r.body.error.index, 1);
    const after = await stack.pool.query('SELECT count(*)::int AS n FROM llm_requests');
    const afterEvents = await stack.pool.query('SELECT count(*)::int AS n FROM outbox_events');
    assert.equal(after.rows[0].n, before.rows[0].n);
    assert.equal(afterEvents.rows[0].n, beforeEvents.rows[0].n);
    const fresh = await stack.pool.query("SELECT 1 FROM llm_requests WHERE client_request_id = 'fresh-1'");
    assert.equal(fresh.rowCount, 0);
  });

  it('answers 409 naming the index of a client_request_id repeated within the batch', async () => {
    const r = await call('POST', `${base}/v1/batch`, {
      requests: [item({ client_request_id: 'd-1' }), item(), item({ client_request_id: 'd-1' })],
    });
    assert.equal(r.status, 409);
    assert.equal(r.body.error.index, 2);
    const rows = await stack.pool.query("SELECT 1 FROM llm_requests WHERE client_request_id = 'd-1'");
    assert.equal(rows.rowCount, 0);
  });

  it('enqueues nothing when the batch is refused', async () => {
    const before = await entriesAdded();
    const r = await call('POST', `${base}/v1/batch`, {
      requests: [item({ client_request_id: 'new-2' }), item({ client_request_id: 'taken-1' })],
    });
    assert.equal(r.status, 409);
    assert.equal(await entriesAdded(), before);
  });
});

describe('bad input', () => {
  const cases: Array<[string, unknown, string]> = [
    ['a body that is not an object', [1, 2], 'body'],
    ['no mode', { prompt: 'x' }, 'mode'],
    ['an unknown mode', { prompt: 'x', mode: 'fast' }, 'mode'],
    ['neither messages nor prompt', { mode: 'quick' }, 'messages'],
    ['both messages and prompt', { prompt: 'x', messages: [{ role: 'user', content: 'y' }], mode: 'quick' }, 'prompt'],
    ['an empty prompt', { prompt: '', mode: 'quick' }, 'prompt'],
    ['an empty messages array', { messages: [], mode: 'quick' }, 'messages'],
    [
      'a message with a bad role',
      {
        messages: [
          { role: 'user', content: 'a' },
          { role: 'system', content: 'b' },
        ],
        mode: 'quick',
      },
      'messages[1].role',
    ],
    ['a message without content', { messages: [{ role: 'user' }], mode: 'quick' }, 'messages[0].content'],
    [
      'a message with an unknown field',
      { messages: [{ role: 'user', content: 'a', name: 'x' }], mode: 'quick' },
      'messages[0].name',
    ],
    ['max_tokens of 0', { prompt: 'x', mode: 'quick', max_tokens: 0 }, 'max_tokens'],
    ['max_tokens over 8192', { prompt: 'x', mode: 'quick', max_tokens: 8193 }, 'max_tokens'],
    ['a fractional max_tokens', { prompt: 'x', mode: 'quick', max_tokens: 1.5 }, 'max_tokens'],
    ['an empty client_request_id', { prompt: 'x', mode: 'quick', client_request_id: '' }, 'client_request_id'],
    [
      'a client_request_id over 128 characters',
      { prompt: 'x', mode: 'quick', client_request_id: 'a'.repeat(129) },
      'client_request_id',
    ],
    ['a numeric model', { prompt: 'x', mode: 'quick', model: 7 }, 'model'],
    ['an unknown field', { prompt: 'x', mode: 'quick', temperature: 1 }, 'temperature'],
  ];
  for (const [what, body, field] of cases) {
    it(`answers 400 naming ${field} for ${what}`, async () => {
      const r = await call('POST', `${base}/v1/requests`, body);
      assert.equal(r.status, 400);
      assert.equal(r.body.error.code, 'invalid_request');
      assert.equal(r.body.error.field, field);
      assert.match(r.body.error.message, new RegExp(field.replace(/[[\]]/g, '\\$&')));
    });
  }

  it('answers 400 naming the item path for a bad batch item', async () => {
    const r = await call('POST', `${base}/v1/batch`, {
      requests: [item(), item({ messages: [{ role: 'bot', content: 'x' }], prompt: undefined })],
    });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.field, 'requests[1].messages[0].role');
  });

  it('answers 400 naming requests for a batch over the configured maximum', async () => {
    const r = await call('POST', `${base}/v1/batch`, { requests: Array.from({ length: 6 }, () => item()) });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.field, 'requests');
  });

  it('answers 400 naming the body for malformed JSON', async () => {
    const r = await call('POST', `${base}/v1/requests`, '{"prompt": ');
    assert.equal(r.status, 400);
    assert.equal(r.body.error.field, 'body');
  });

  it('answers 415 naming the content-type for a JSON body sent as text/plain', async () => {
    const r = await call('POST', `${base}/v1/requests`, item(), { 'content-type': 'text/plain' });
    assert.equal(r.status, 415);
    assert.equal(r.body.error.code, 'unsupported_media_type');
    assert.equal(r.body.error.field, 'content-type');
    assert.match(r.body.error.message, /expected application\/json, got "text\/plain"/);
  });

  it('answers 415 naming the content-type for a JSON body without a content type', async () => {
    const r = await rawPost(`${base}/v1/batch`, JSON.stringify({ requests: [item()] }));
    assert.equal(r.status, 415);
    assert.equal(r.body.error.field, 'content-type');
    assert.match(r.body.error.message, /got none/);
  });

  it('answers 413 for a body over the limit', async () => {
    const r = await call('POST', `${base}/v1/requests`, item({ prompt: 'x'.repeat(5000) }));
    assert.equal(r.status, 413);
    assert.equal(r.body.error.code, 'payload_too_large');
  });

  it('answers 400 naming id for a malformed request id', async () => {
    const r = await call('GET', `${base}/v1/requests/not-a-uuid`);
    assert.equal(r.status, 400);
    assert.equal(r.body.error.field, 'id');
  });

  it('answers 404 for an unknown request id', async () => {
    const r = await call('GET', `${base}/v1/requests/00000000-0000-4000-8000-000000000000`);
    assert.equal(r.status, 404);
  });

  it('answers 404 for an unknown route', async () => {
    assert.equal((await call('GET', `${base}/v2/nothing`)).status, 404);
  });

  it('answers 405 with an allow header for a wrong method', async () => {
    const r = await call('DELETE', `${base}/v1/requests`);
    assert.equal(r.status, 405);
    assert.equal(r.headers.allow, 'POST');
    assert.equal(r.body.error.code, 'method_not_allowed');
  });

  for (const [method, path, allow] of [
    ['PROPFIND', '/v1/batch', 'POST'],
    ['QUERY', '/v1/requests/00000000-0000-4000-8000-000000000000', 'GET, HEAD'],
    ['POST', '/healthz', 'GET, HEAD'],
    ['PUT', '/openapi.json', 'GET, HEAD'],
  ]) {
    it(`answers 405 with Allow: ${allow} to ${method} ${path}`, async () => {
      const r = await call(method!, `${base}${path}`);
      assert.equal(r.status, 405);
      assert.equal(r.headers.allow, allow);
    });
  }
});

describe('health and metrics', () => {
  it('reports redis and postgres ok and kafka disabled on /healthz', async () => {
    const r = await call('GET', `${base}/healthz`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { redis: 'ok', postgres: 'ok', kafka: 'disabled' });
  });

  it('exposes queue depth, in-flight jobs, outbox backlog, LLM latency and request counts on /metrics', async () => {
    const r = await call('GET', `${base}/metrics`);
    assert.equal(r.status, 200);
    for (const name of [
      'target_queue_depth{state="waiting"}',
      'target_jobs_in_flight',
      'target_outbox_backlog',
      'target_llm_call_duration_seconds_bucket',
      'target_relay_publish_lag_seconds',
      'target_http_requests_total{route="/v1/requests",method="POST",status="202"}',
    ]) {
      assert.ok(r.body.includes(name), `missing ${name}`);
    }
  });
});

describe('health when a dependency is down', () => {
  it('answers 503 naming Redis when its server is gone, and still shuts down', async () => {
    // A Redis server of this test's own, so killing it leaves the file's infra alone.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    try {
      const url = `redis://127.0.0.1:${port}`;
      await waitFor('the test Redis', async () => {
        const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        probe.on('error', () => {});
        const ok = await probe.connect().then(
          () => true,
          () => undefined,
        );
        probe.disconnect();
        return ok;
      });
      const t = await startTarget(
        {
          redisUrl: url,
          databaseUrl: stack.infra.endpoints.postgres!.url,
          kafkaBrokers: [],
          llmUrl: stack.llm.url,
          roles: ['api'],
        },
        { log: () => {} },
      );
      try {
        assert.equal((await call('GET', `${t.url}/healthz`)).status, 200);
        server.kill('SIGKILL');
        await new Promise((r) => server.once('exit', r));
        const h = await call('GET', `${t.url}/healthz`);
        assert.equal(h.status, 503);
        assert.match(h.body.redis, /^down/);
        assert.equal(h.body.postgres, 'ok');
      } finally {
        await t.stop();
      }
    } finally {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    }
  });
});
