/**
 * k6/x/sse against the real mock LLM stub (started once for the file), plus its
 * event-stream parser on hand-made input.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startMockLlm, type MockLlm } from '../../../mock-llm/index.ts';
import { createModule, SseParser, type SseEvent, type SseResponse } from '../../../engine/modules/x/sse.ts';
import { fakeVu, type FakeVu } from './fake-vu.ts';

interface Client {
  on(type: string, fn: (arg?: unknown) => void): void;
  close(): void;
}
type Open = (url: string, ...args: unknown[]) => Promise<SseResponse>;

const JSON_HEADERS = { 'content-type': 'application/json' };
const anthropicBody = (maxTokens: number) =>
  JSON.stringify({
    model: 'claude-sonnet-4-5',
    max_tokens: maxTokens,
    stream: true,
    messages: [{ role: 'user', content: 'Hello' }],
  });

describe('k6/x/sse', () => {
  let stub: MockLlm;
  let vu: FakeVu;
  let open: Open;

  before(async () => {
    // A fixed output length and visible gaps between tokens.
    stub = await startMockLlm({
      performanceMode: true,
      config: { latency: { ttftMs: 30, itlMs: 5 }, output: { tokens: 12 } },
    });
    vu = fakeVu();
    open = (createModule(vu) as { open: Open }).open;
  });

  after(async () => {
    await vu?.close();
    await stub?.stop();
  });

  it('hands every event of an Anthropic stream to the event handlers, in order, as it arrives', async () => {
    const events: SseEvent[] = [];
    const arrivals: number[] = [];
    let opened = false;
    const res = await open(
      `${stub.url}/v1/messages`,
      { method: 'POST', body: anthropicBody(64), headers: { 'content-type': 'application/json' } },
      (c: Client) => {
        c.on('open', () => {
          opened = true;
        });
        c.on('event', (e) => {
          events.push(e as SseEvent);
          arrivals.push(performance.now());
        });
      },
    );
    assert.equal(res.status, 200);
    assert.equal(res.error, '');
    assert.ok(opened);
    const names = events.map((e) => e.name);
    assert.equal(names[0], 'message_start');
    assert.equal(names.at(-1), 'message_stop');
    const deltas = events.filter((e) => e.name === 'content_block_delta');
    assert.equal(deltas.length, 12);
    // Delivered one by one, not all at the end: the token events span at least the stub's 11 inter-token gaps.
    const tokenArrivals = arrivals.filter((_, i) => events[i]!.name === 'content_block_delta');
    assert.ok(
      tokenArrivals.at(-1)! - tokenArrivals[0]! >= 11 * 5 * 0.5,
      `span ${tokenArrivals.at(-1)! - tokenArrivals[0]!} ms`,
    );
  });

  it('counts one sse_event per event and one http_reqs per stream, tagged with the status', async () => {
    const own = fakeVu();
    const o = (createModule(own) as { open: Open }).open;
    let n = 0;
    await o(
      `${stub.url}/v1/messages`,
      { method: 'POST', body: anthropicBody(8), headers: JSON_HEADERS, tags: { provider: 'anthropic' } },
      (c: Client) =>
        c.on('event', () => {
          n++;
        }),
    );
    assert.equal(own.sum('sse_event'), n);
    const reqs = own.samples.filter((s) => s.name === 'http_reqs');
    assert.equal(reqs.length, 1);
    assert.equal(reqs[0]!.tags.status, '200');
    assert.equal(reqs[0]!.tags.provider, 'anthropic');
    await own.close();
  });

  it('emits http_req_sending twice per stream, as xk6-sse does: the time to the response headers', async () => {
    const own = fakeVu();
    const o = (createModule(own) as { open: Open }).open;
    await o(`${stub.url}/v1/messages`, { method: 'POST', body: anthropicBody(8), headers: JSON_HEADERS }, () => {});
    const sending = own.samples.filter((s) => s.name === 'http_req_sending');
    const duration = own.samples.find((s) => s.name === 'http_req_duration')!;
    assert.equal(sending.length, 2);
    assert.equal(sending[0]!.value, sending[1]!.value);
    assert.ok(
      sending[0]!.value >= 0 && sending[0]!.value <= duration.value,
      `sending ${sending[0]!.value}, duration ${duration.value}`,
    );
    assert.ok(sending.every((s) => s.tags.status === '200'));
    await own.close();
  });

  it('stops reading when the script calls client.close()', async () => {
    let seen = 0;
    const res = await open(
      `${stub.url}/v1/messages`,
      { method: 'POST', body: anthropicBody(64), headers: JSON_HEADERS },
      (c: Client) => {
        c.on('event', () => {
          if (++seen === 3) c.close();
        });
      },
    );
    assert.equal(res.status, 200);
    assert.equal(seen, 3);
  });

  for (const [what, url, error] of [
    ['a refused connection', 'http://127.0.0.1:1/v1/messages', /./],
    ['a malformed URL', 'http://[not-a-host/v1/messages', /invalid url/i],
  ] as const) {
    it(`reports ${what} through the error handler and the response, without throwing`, async () => {
      let message = '';
      const res = await open(url, (c: Client) => {
        c.on('error', (e) => {
          message = (e as { error(): string }).error();
        });
      });
      assert.equal(res.status, 0);
      assert.match(res.error, error);
      assert.equal(message, res.error);
    });
  }

  it("returns the response's status and headers, each header as one string", async () => {
    const res = await open(
      `${stub.url}/v1/messages`,
      { method: 'POST', body: anthropicBody(4), headers: JSON_HEADERS },
      () => {},
    );
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /^text\/event-stream/);
    assert.ok(Object.values(res.headers).every((v) => typeof v === 'string'));
  });

  it('passes an exception thrown by an event handler on to the script', async () => {
    await assert.rejects(
      open(`${stub.url}/v1/messages`, { method: 'POST', body: anthropicBody(8), headers: JSON_HEADERS }, (c: Client) =>
        c.on('event', () => {
          throw new Error('handler failed');
        }),
      ),
      /handler failed/,
    );
  });

  it('throws when the last argument is not a function', async () => {
    await assert.rejects(open(`${stub.url}/v1/messages`, {}), /the last argument must be a function/);
  });

  it('throws in a sync-mode VU, naming the module and asking for async functions', async () => {
    const o = (createModule(fakeVu('sync')) as { open: Open }).open;
    await assert.rejects(
      o(`${stub.url}/x`, () => {}),
      (e: Error & { code?: string }) => e.code === 'X_MODULE_NEEDS_ASYNC' && /k6\/x\/sse/.test(e.message),
    );
  });
});

describe('SseParser', () => {
  const parse = (...chunks: string[]) => {
    const out: SseEvent[] = [];
    const p = new SseParser((e) => out.push(e));
    for (const c of chunks) p.push(c);
    return out;
  };

  it('dispatches an event at a blank line, with its name, id and data', () => {
    assert.deepEqual(parse('event: ping\nid: 7\ndata: {"a":1}\n\n'), [
      { id: '7', name: 'ping', data: '{"a":1}', comment: '' },
    ]);
  });

  it('joins several data lines with a newline', () => {
    assert.equal(parse('data: one\ndata: two\n\n')[0]!.data, 'one\ntwo');
  });

  it('accepts CRLF line ends and events split across chunks', () => {
    const events = parse('data: he', 'llo\r\n\r', '\ndata: [DONE]\r\n\r\n');
    assert.deepEqual(
      events.map((e) => e.data),
      ['hello', '[DONE]'],
    );
  });

  it('keeps comments apart from data and does not dispatch a comment alone', () => {
    assert.deepEqual(parse(': keep-alive\n\n'), []);
    assert.equal(parse(': note\ndata: x\n\n')[0]!.comment, 'note');
  });
});

describe('k6/x/sse and an interrupted iteration', () => {
  it('stops waiting on a server gone silent mid-stream when the iteration is interrupted', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n'); // then nothing, as a stopped process sends nothing
    });
    silent.on('connection', (s) => sockets.add(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const vu = fakeVu();
    const open = (createModule(vu) as { open: Open }).open;
    try {
      const { port } = silent.address() as { port: number };
      const events: unknown[] = [];
      const pending = open(`http://127.0.0.1:${port}/`, (c: Client) => c.on('event', (e) => events.push(e)));
      setTimeout(() => vu.interruption.abort(), 300);
      const res = await pending;
      assert.equal(events.length, 1);
      assert.equal(res.status, 200);
    } finally {
      await vu.close();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('k6/x/sse in an iteration interrupted before the stream opens', () => {
  it('ends at once with the interruption as its error, no event delivered and nothing left open', async () => {
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: late\n\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const vu = fakeVu();
    const open = (createModule(vu) as { open: Open }).open;
    try {
      const { port } = server.address() as { port: number };
      vu.interruption.abort();
      const events: unknown[] = [];
      let message = '';
      const res = await open(`http://127.0.0.1:${port}/`, (c: Client) => {
        c.on('event', (e) => events.push(e));
        c.on('error', (e) => {
          message = (e as { error(): string }).error();
        });
      });
      assert.deepEqual(events, []);
      assert.equal(res.status, 0);
      assert.notEqual(res.error, '');
      assert.equal(message, res.error);
      assert.equal(vu.samples.filter((s) => s.name === 'http_reqs').length, 1);
      assert.equal(requests, 0, 'the server answered a request the interruption should have stopped');
    } finally {
      await vu.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('k6/x/sse and a server that drops the connection mid-stream', () => {
  it('hands over the events read before the drop, then reports the error through the handler and the response', async () => {
    const dropping = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\ndata: two\n\n');
      setTimeout(() => req.socket.destroy(), 50); // the chunked body never ends
    });
    await new Promise<void>((resolve) => dropping.listen(0, '127.0.0.1', resolve));
    const vu = fakeVu();
    const open = (createModule(vu) as { open: Open }).open;
    try {
      const { port } = dropping.address() as { port: number };
      const events: string[] = [];
      let message = '';
      const res = await open(`http://127.0.0.1:${port}/`, (c: Client) => {
        c.on('event', (e) => events.push((e as SseEvent).data));
        c.on('error', (e) => {
          message = (e as { error(): string }).error();
        });
      });
      assert.deepEqual(events, ['one', 'two']);
      assert.equal(res.status, 200);
      assert.notEqual(res.error, '');
      assert.equal(message, res.error);
    } finally {
      await vu.close();
      await new Promise((resolve) => dropping.close(resolve));
    }
  });
});
