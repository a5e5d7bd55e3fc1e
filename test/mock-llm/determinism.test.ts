/**
 * Seeded behaviour: same seed and request → same bytes; errors at the configured rates; none in performance mode.
 * Servers start per test here on purpose: restarts and start-time modes are what these tests are about.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startMockLlm, type MockLlmConfigPatch } from '../../mock-llm/index.ts';
import { anthropicRequest, openaiRequest, post, QUIET } from './helpers.ts';

const MSG = '/v1/messages';
const CHAT = '/v1/chat/completions';

async function bodies(
  seed: number,
  requests: Array<[string, unknown]>,
  config: MockLlmConfigPatch = QUIET,
): Promise<string[]> {
  const mock = await startMockLlm({ seed, config });
  try {
    return await Promise.all(requests.map(async ([path, body]) => (await post(mock.url, path, body)).text()));
  } finally {
    await mock.stop();
  }
}

/** Statuses of `n` distinct requests, sent in batches of 50 concurrent. */
async function statuses(url: string, n: number, stream = false): Promise<number[]> {
  const out: number[] = [];
  for (let start = 0; start < n; start += 50) {
    const batch = [];
    for (let i = start; i < Math.min(n, start + 50); i++) {
      batch.push(
        post(url, MSG, anthropicRequest(`request number ${i}`, { stream })).then(
          async (r) => {
            const text = await r.text();
            return r.status === 200 && stream && text.includes('event: error') ? 600 : r.status;
          },
          () => 0,
        ),
      );
    }
    out.push(...(await Promise.all(batch)));
  }
  return out;
}

const SAMPLE: Array<[string, unknown]> = [
  [MSG, anthropicRequest('alpha')],
  [MSG, anthropicRequest('beta', { stream: true })],
  [CHAT, openaiRequest('gamma', { max_tokens: 50 })],
  [MSG, anthropicRequest('delta', { system: 'be brief', max_tokens: 10 })],
];

describe('determinism', () => {
  it('answers byte-identical Anthropic bodies, streamed or not, after a restart with the same seed', async () => {
    const first = await bodies(42, SAMPLE);
    const second = await bodies(42, SAMPLE);
    assert.equal(first[0], second[0]);
    assert.equal(first[1], second[1]);
    assert.equal(first[3], second[3]);
  });

  it('gives the same OpenAI text and usage after a restart with the same seed', async () => {
    const pick = (s: string): unknown => {
      const j = JSON.parse(s) as { choices: Array<{ message: unknown }>; usage: unknown };
      return [j.choices[0]?.message, j.usage];
    };
    const [a, b] = [await bodies(42, SAMPLE), await bodies(42, SAMPLE)];
    assert.deepEqual(pick(a[2]!), pick(b[2]!));
  });

  it('gives the same text per request whatever the order and concurrency of the others', async () => {
    const reversed = [...SAMPLE].reverse();
    const forward = await bodies(42, SAMPLE);
    const backward = (await bodies(42, reversed)).reverse();
    assert.equal(forward[0], backward[0]);
    assert.equal(forward[1], backward[1]);
  });

  it('gives other text with another seed', async () => {
    const [a, b] = [await bodies(42, SAMPLE), await bodies(43, SAMPLE)];
    const text = (s: string): string => (JSON.parse(s) as { content: Array<{ text: string }> }).content[0]!.text;
    assert.notEqual(text(a[0]!), text(b[0]!));
  });

  it('gives the same text to a repeated request within one run', async () => {
    const text = (s: string): string => (JSON.parse(s) as { content: Array<{ text: string }> }).content[0]!.text;
    const [a, b] = await bodies(42, [SAMPLE[0]!, SAMPLE[0]!]);
    assert.equal(text(a!), text(b!));
  });
});

describe('error simulation', () => {
  const RATES: MockLlmConfigPatch = {
    ...QUIET,
    errors: {
      rateLimit: 0.1,
      retryAfterSeconds: 1,
      serverError: 0.05,
      overloaded: 0.05,
      hang: 0,
      midStreamError: 0.1,
      disconnect: 0.02,
    },
  };
  const N = 2000;

  it('injects each error at its configured rate within 4 standard errors', async () => {
    const mock = await startMockLlm({ seed: 42, config: RATES });
    try {
      const got = await statuses(mock.url, N, true);
      const share = (s: number): number => got.filter((x) => x === s).length / N;
      const expected: Array<[number, number]> = [
        [429, 0.1],
        [500, 0.05],
        [529, 0.05],
        [600, 0.1],
        [0, 0.02],
        [200, 0.68],
      ];
      for (const [status, p] of expected) {
        const tol = 4 * Math.sqrt((p * (1 - p)) / N);
        assert.ok(Math.abs(share(status) - p) < tol, `status ${status}: ${share(status)} vs ${p} ± ${tol.toFixed(3)}`);
      }
    } finally {
      await mock.stop();
    }
  });

  it('fails the same requests after a restart with the same seed', async () => {
    const run = async (): Promise<number[]> => {
      const mock = await startMockLlm({ seed: 42, config: RATES });
      try {
        return await statuses(mock.url, 300);
      } finally {
        await mock.stop();
      }
    };
    const [a, b] = [await run(), await run()];
    assert.deepEqual(a, b);
    assert.ok(a.some((s) => s !== 200));
  });

  it('draws afresh for each repetition of the same request, so a retry can succeed', async () => {
    const mock = await startMockLlm({ seed: 42, config: { ...QUIET, errors: { ...QUIET.errors, rateLimit: 0.5 } } });
    try {
      const seen = new Set<number>();
      for (let i = 0; i < 30; i++) seen.add((await post(mock.url, MSG, anthropicRequest('retry me'))).status);
      assert.deepEqual([...seen].sort(), [200, 429]);
    } finally {
      await mock.stop();
    }
  });

  it('injects no error at all in performance mode', async () => {
    const mock = await startMockLlm({ seed: 42, performanceMode: true, config: RATES });
    try {
      const got = await statuses(mock.url, N, true);
      assert.equal(got.filter((s) => s !== 200).length, 0);
      const injected = Object.values(mock.stats().injectedErrors).reduce((a, b) => a + b, 0);
      assert.equal(injected, 0);
    } finally {
      await mock.stop();
    }
  });
});
