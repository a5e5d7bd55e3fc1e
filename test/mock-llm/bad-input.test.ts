/**
 * Bad input never crashes the stub: content arrays are validated element by element,
 * JSON nesting is bounded before parsing, and an exception inside a handler answers
 * 500 while the server goes on serving.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Admission } from '../../mock-llm/admission.ts';
import type { AdminTarget } from '../../mock-llm/admin.ts';
import { resolveConfig } from '../../mock-llm/config.ts';
import { startMockLlm, type MockLlm } from '../../mock-llm/index.ts';
import { depthExceededAt, MAX_JSON_DEPTH } from '../../mock-llm/json-depth.ts';
import { Planner, type ParsedRequest, type Plan } from '../../mock-llm/plan.ts';
import { Scheduler } from '../../mock-llm/scheduler.ts';
import { createHandler } from '../../mock-llm/server.ts';
import { StatsCollector } from '../../mock-llm/stats.ts';
import { anthropicRequest, openaiRequest, post, put, QUIET } from './helpers.ts';

const MSG = '/v1/messages';
const CHAT = '/v1/chat/completions';

type AnthropicError = { type: string; error: { type: string; message: string } };
type OpenAiError = { error: { type: string; message: string; param: string | null } };

const withContent = (content: unknown, extra: Record<string, unknown> = {}) =>
  anthropicRequest('', { messages: [{ role: 'user', content }], ...extra });
const chatWith = (role: string, content: unknown) => openaiRequest('', { messages: [{ role, content }] });
/** `levels` nested arrays: `[[[...]]]`. */
const nested = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);

describe('depthExceededAt', () => {
  it('accepts nesting up to the limit and names the offset of the first level past it', () => {
    assert.equal(depthExceededAt(nested(MAX_JSON_DEPTH)), -1);
    assert.equal(depthExceededAt(nested(MAX_JSON_DEPTH + 1)), MAX_JSON_DEPTH);
    assert.equal(depthExceededAt('{"a":' + nested(3) + '}', 3), 7);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    assert.equal(depthExceededAt(JSON.stringify({ a: '[[[[{{{{', b: 'say \\"[[[[\\"' }), 2), -1);
  });

  it('counts the brackets after a string that ends in an escaped backslash', () => {
    const text = JSON.stringify({ a: 'ends in \\', b: JSON.parse(nested(3)) });
    assert.equal(depthExceededAt(text, 4), -1);
    assert.equal(depthExceededAt(text, 3), text.indexOf('[[[') + 2);
  });
});

describe('the stub against bad content and deep bodies', () => {
  let mock: MockLlm;
  before(async () => {
    mock = await startMockLlm({ config: QUIET, performanceMode: true });
  });
  after(async () => {
    await mock.stop();
  });

  const anthropicBad: Array<[string, unknown, string, RegExp]> = [
    ['a block that is not an object', withContent(['hi']), 'messages.0.content.0', /expected a content block object/],
    [
      'a block without a type',
      withContent([{ text: 'x' }]),
      'messages.0.content.0.type',
      /expected one of text, image,.*got nothing/,
    ],
    [
      'a block of an unknown type',
      withContent([{ type: 'video', url: 'x' }]),
      'messages.0.content.0.type',
      /got string "video"/,
    ],
    [
      'a text block whose text is a number',
      withContent([
        { type: 'text', text: 'ok' },
        { type: 'text', text: 5 },
      ]),
      'messages.0.content.1.text',
      /expected a string, got number 5/,
    ],
    [
      'a text block without text',
      withContent([{ type: 'text' }]),
      'messages.0.content.0.text',
      /Field required \(a string\)/,
    ],
    ['an image without its source', withContent([{ type: 'image' }]), 'messages.0.content.0.source', /Field required/],
    [
      'a tool_use whose input is a string',
      withContent([{ type: 'tool_use', id: 't1', name: 'f', input: '{}' }]),
      'messages.0.content.0.input',
      /expected an object/,
    ],
    [
      'a bad block inside a tool_result',
      withContent([
        {
          type: 'tool_result',
          tool_use_id: 't1',
          content: [
            { type: 'text', text: 'a' },
            { type: 'text', text: null },
          ],
        },
      ]),
      'messages.0.content.0.content.1.text',
      /expected a string, got null/,
    ],
    [
      'a system array holding a non-text block',
      withContent('hi', {
        system: [
          { type: 'text', text: 'a' },
          { type: 'image', source: { type: 'base64' } },
        ],
      }),
      'system.1.type',
      /expected one of text, got/,
    ],
  ];
  for (const [name, body, field, message] of anthropicBad) {
    it(`answers 400 naming ${field} to an Anthropic request with ${name}`, async () => {
      const res = await post(mock.url, MSG, body);
      assert.equal(res.status, 400);
      const json = (await res.json()) as AnthropicError;
      assert.equal(json.error.type, 'invalid_request_error');
      assert.ok(json.error.message.startsWith(`${field}: `), json.error.message);
      assert.match(json.error.message, message);
    });
  }

  const openaiBad: Array<[string, unknown, string, RegExp]> = [
    [
      'a text part whose text is a number',
      chatWith('user', [
        { type: 'text', text: 'a' },
        { type: 'text', text: 'b' },
        { type: 'text', text: 7 },
      ]),
      'messages[0].content[2].text',
      /expected a string/,
    ],
    ['a part that is null', chatWith('user', [null]), 'messages[0].content[0]', /expected a content part object/],
    [
      'an image part without its url',
      chatWith('user', [{ type: 'image_url', image_url: {} }]),
      'messages[0].content[0].image_url.url',
      /Field required/,
    ],
    [
      'an image part in an assistant message',
      chatWith('assistant', [{ type: 'image_url', image_url: { url: 'http://x' } }]),
      'messages[0].content[0].type',
      /expected one of text, refusal \(for role assistant\)/,
    ],
    [
      'a part of an unknown type',
      chatWith('system', [{ type: 'html', html: '<p>' }]),
      'messages[0].content[0].type',
      /got string "html"/,
    ],
  ];
  for (const [name, body, field, message] of openaiBad) {
    it(`answers 400 with param ${field} to a chat request with ${name}`, async () => {
      const res = await post(mock.url, CHAT, body);
      assert.equal(res.status, 400);
      const json = (await res.json()) as OpenAiError;
      assert.equal(json.error.type, 'invalid_request_error');
      assert.equal(json.error.param, field);
      assert.ok(json.error.message.startsWith(`${field}: `), json.error.message);
      assert.match(json.error.message, message);
    });
  }

  it('accepts well-formed content arrays of every kind it checks', async () => {
    const blocks = [
      { type: 'text', text: 'look', cache_control: { type: 'ephemeral' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
      { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'done' }], is_error: false },
    ];
    const a = await post(mock.url, MSG, withContent(blocks, { system: [{ type: 'text', text: 'be brief' }] }));
    assert.equal(a.status, 200, await a.clone().text());
    await a.body?.cancel();
    const parts = [
      { type: 'text', text: 'what is this' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } },
    ];
    const o = await post(mock.url, CHAT, chatWith('user', parts));
    assert.equal(o.status, 200, await o.clone().text());
    await o.body?.cancel();
  });

  for (const [route, levels] of [
    [MSG, MAX_JSON_DEPTH + 1],
    [CHAT, 100_000],
  ] as const) {
    it(`answers 400 naming the ${MAX_JSON_DEPTH}-level limit to a body nested ${levels} levels deep on ${route}, then serves a good request`, async () => {
      const good = route === MSG ? anthropicRequest('after deep') : openaiRequest('after deep');
      const body = JSON.stringify(good).replace('"after deep"', nested(levels));
      const res = await post(mock.url, route, body);
      assert.equal(res.status, 400);
      const text = await res.text();
      assert.match(text, new RegExp(`body: JSON nested deeper than ${MAX_JSON_DEPTH} levels \\(at character \\d+\\)`));
      const ok = await post(mock.url, route, good);
      assert.equal(ok.status, 200);
      await ok.body?.cancel();
    });
  }

  it('refuses an admin config PUT nested past the limit, then still answers GET /__admin/config', async () => {
    const res = await fetch(`${mock.url}/__admin/config`, {
      method: 'PUT',
      body: `{"maxBodyBytes":${nested(10_000)}}`,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, /nested deeper than 64 levels/);
    assert.equal((await put(mock.url, '/__admin/config', {})).status, 200);
  });
});

/**
 * Stands for any bug on the request path: throws while planning for the model
 * "crash-me", and for "crash-late" returns a plan whose tokens throw when the generator,
 * running from a timer after the handler returned, first reads them.
 */
class CrashingPlanner extends Planner {
  override plan(req: ParsedRequest): Plan {
    if (req.model === 'crash-me') throw new TypeError('planner bug (injected by the test)');
    const plan = super.plan(req);
    if (req.model === 'crash-late') {
      Object.defineProperty(plan, 'tokens', {
        get: () => {
          throw new TypeError('generator bug (injected by the test)');
        },
      });
    }
    return plan;
  }
}

describe('an exception inside a request handler', () => {
  let server: Server;
  let url: string;
  let statsThrow = true;
  const errors: string[] = [];
  const realError = console.error;

  before(async () => {
    console.error = (...args: unknown[]) => void errors.push(args.join(' '));
    // A TTFT above 0: generation runs from the scheduler's timer, after the handler returned.
    const config = resolveConfig({ ...QUIET, latency: { ...QUIET.latency, ttftMs: 2 } });
    const stats = new StatsCollector();
    const admission = new Admission(0);
    const admin = {
      stats: () => {
        if (statsThrow) throw new RangeError('stats bug (injected by the test)');
        return stats.snapshot(0);
      },
      seed: 42,
      performanceMode: () => true,
    } as AdminTarget; // only what GET /__admin/stats and /healthz read
    const gen = { stats, admission, scheduler: new Scheduler(), jobs: new Set(), itl: () => config.latency.itlMs };
    const state = {
      planner: new CrashingPlanner(42, config, true),
      stats,
      admission,
      gen,
      hangs: new Set(),
      admin,
      config: () => config,
    };
    server = createServer(createHandler(state as Parameters<typeof createHandler>[0]));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    console.error = realError;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('answers 500 api_error on /v1/messages, logs the stack, and then serves a good request', async () => {
    const res = await post(url, MSG, anthropicRequest('boom', { model: 'crash-me' }));
    assert.equal(res.status, 500);
    const json = (await res.json()) as AnthropicError;
    assert.equal(json.error.type, 'api_error');
    assert.match(json.error.message, /mock-llm internal error: planner bug/);
    assert.ok(
      errors.some((e) => e.includes('POST /v1/messages failed') && e.includes('CrashingPlanner')),
      errors.join('\n'),
    );
    const ok = await post(url, MSG, anthropicRequest('fine'));
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  });

  it("answers 500 in OpenAI's shape on /v1/chat/completions, then serves a good request", async () => {
    const res = await post(url, CHAT, openaiRequest('boom', { model: 'crash-me' }));
    assert.equal(res.status, 500);
    const json = (await res.json()) as OpenAiError;
    assert.equal(json.error.type, 'server_error');
    const ok = await post(url, CHAT, openaiRequest('fine'));
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  });

  for (const stream of [false, true]) {
    it(`answers 500 to a throw while generating (${stream ? 'streaming' : 'whole'}, from the timer) and then serves the same request shape`, async () => {
      const res = await post(url, MSG, anthropicRequest('late boom', { model: 'crash-late', stream }));
      assert.equal(res.status, 500);
      assert.match(((await res.json()) as AnthropicError).error.message, /generator bug/);
      assert.ok(
        errors.some((e) => e.includes('failed while generating')),
        errors.join('\n'),
      );
      const ok = await post(url, MSG, anthropicRequest('late fine', { stream }));
      assert.equal(ok.status, 200);
      await ok.text();
    });
  }

  it('answers 500 to a synchronous throw (GET /__admin/stats), then answers the same route once it works', async () => {
    statsThrow = true;
    const res = await fetch(`${url}/__admin/stats`);
    assert.equal(res.status, 500);
    assert.match(await res.text(), /stats bug/);
    statsThrow = false;
    const ok = await fetch(`${url}/__admin/stats`);
    assert.equal(ok.status, 200);
    assert.equal(
      ((await ok.json()) as { requests: Record<string, Record<string, number>> }).requests['POST /v1/messages']?.[
        '500'
      ],
      3,
    );
  });
});
