/**
 * The LLM figures on synthetic streams with known timings: each per-request definition
 * (TTFT, TTST, ITL, TPOT, E2EL, token counts), the window throughput counters, goodput,
 * the per-request record and its console line, and the clock choice.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateTokens, makeClock, measure, newState, onEvent } from '../../scripts/lib/llm-stream.ts';
import {
  meetsSlo,
  parseSlo,
  RECORD_MARKER,
  recordLine,
  requestRecord,
  windowShare,
  type Window,
} from '../../scripts/lib/llm-window.ts';

const chunk = (content: string) => ({
  name: '',
  data: JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] }),
});
const usage = (prompt: number, completion: number) => ({
  name: '',
  data: JSON.stringify({ choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion } }),
});

/** An OpenAI stream sent at `start`: one token per chunk at the given times, then usage and [DONE] at `end`. */
function stream(start: number, times: number[], end: number, server?: [number, number]) {
  const s = newState(start);
  for (const t of times) onEvent('openai', s, chunk('x'), t);
  if (server) onEvent('openai', s, usage(...server), end);
  onEvent('openai', s, { name: '', data: '[DONE]' }, end);
  return s;
}

describe('per-request definitions (vLLM / aiperf)', () => {
  // TTFT 200 ms, then 4 gaps of 20 ms: chunks at 200, 220, 240, 260, 280; stream ends at 285.
  const s = stream(1000, [1200, 1220, 1240, 1260, 1280], 1285, [12, 5]);
  const m = measure(s)!;

  it('TTFT is the first content chunk after the send, TTST the gap to the second', () => {
    assert.equal(m.ttft, 200);
    assert.equal(m.ttst, 20);
  });

  it('ITL lists every gap between content chunks', () => {
    assert.deepEqual(m.itl, [20, 20, 20, 20]);
  });

  it('E2EL runs to the end of the stream, TPOT is (E2EL - TTFT) / (tokens - 1)', () => {
    assert.equal(m.e2el, 285);
    assert.equal(m.tpot, (285 - 200) / 4);
    assert.equal(m.tokensPerSecond, 5 / 0.285);
  });

  it("keeps the server's usage beside the client's counts, and prefers it for TPOT", () => {
    assert.equal(s.usageInputTokens, 12);
    assert.equal(s.usageTokens, 5);
    const multi = stream(0, [100, 150], 160, [3, 4]); // 2 chunks carrying 4 tokens
    assert.equal(measure(multi)!.outputTokens, 4);
    assert.equal(measure(multi)!.tpot, 60 / 3);
  });

  it('reads Anthropic input tokens from message_start and output tokens from message_delta', () => {
    const a = newState(0);
    const start = { message: { usage: { input_tokens: 7, output_tokens: 1 } } };
    onEvent('anthropic', a, { name: 'message_start', data: JSON.stringify(start) }, 1);
    onEvent('anthropic', a, { name: 'message_delta', data: JSON.stringify({ usage: { output_tokens: 9 } }) }, 2);
    assert.deepEqual([a.usageInputTokens, a.usageTokens], [7, 9]);
  });

  it('estimates input tokens as the stub counts them: ceil(characters / 4), at least 1', () => {
    assert.deepEqual([estimateTokens(''), estimateTokens('abcd'), estimateTokens('abcde')], [1, 1, 2]);
  });
});

describe('throughput over the measured window', () => {
  const w: Window = { start: 10_000, end: 12_000 }; // 2 s: each unit counts 0.5 per second

  it("counts the part of each request's life inside the window, for requests sent before, in and after it", () => {
    const warmup = stream(9_000, [9_900, 9_950, 10_000, 10_050], 11_000); // half of its life inside
    const inside = stream(10_500, [10_600, 10_700], 10_710); // all of it
    const drain = stream(11_900, [11_950, 12_000, 12_050], 12_300); // a quarter
    const shares = [warmup, inside, drain].map((s) => windowShare(w, s, measure(s), 10, true));
    assert.deepEqual(
      shares.map((x) => x.outputTokensPerS),
      [(4 * 0.5) / 2, 2 / 2, (3 * 0.25) / 2],
    );
    assert.deepEqual(
      shares.map((x) => x.requestsPerS),
      [0.5 / 2, 1 / 2, 0.25 / 2],
    );
    const before = stream(5_000, [5_100], 6_000);
    const after = stream(12_000, [12_100], 12_200); // the window's end is exclusive
    for (const s of [before, after]) assert.equal(windowShare(w, s, measure(s), 10, true).outputTokensPerS, 0);
  });

  it('counts input tokens and goodput with the same share, goodput only for good requests', () => {
    const inside = stream(10_500, [10_600, 10_700], 10_710);
    assert.deepEqual(windowShare(w, inside, measure(inside), 10, true), {
      outputTokensPerS: 1,
      inputTokensPerS: 5,
      requestsPerS: 0.5,
      goodputPerS: 0.5,
    });
    assert.equal(windowShare(w, inside, measure(inside), 10, false).goodputPerS, 0);
    const late = stream(11_900, [11_950], 12_100); // half inside
    const share = windowShare(w, late, measure(late), 10, true);
    assert.deepEqual([share.requestsPerS, share.inputTokensPerS, share.outputTokensPerS], [0.25, 2.5, 0.25]);
  });

  it('counts no request for a stream that failed, but the tokens it delivered, over its life to the last one', () => {
    const cut = newState(10_000);
    onEvent('openai', cut, chunk('x'), 10_100);
    const share = windowShare(w, cut, measure(cut), 10, true);
    assert.deepEqual([share.requestsPerS, share.inputTokensPerS, share.outputTokensPerS], [0, 0, 0.5]);
    const none = newState(10_000);
    assert.equal(windowShare(w, none, measure(none), 10, true).outputTokensPerS, 0);
  });

  it('reads the steady rate of a closed loop whatever the phase of the window, where counting arrivals does not', () => {
    // 2 VUs in step, back to back: TTFT 200 ms, 64 tokens 20 ms apart, so 1,460 ms a request.
    const requests = Array.from({ length: 30 }, (_, i) => {
      const t0 = i * 1460;
      return stream(
        t0,
        Array.from({ length: 64 }, (_, k) => t0 + 200 + k * 20),
        t0 + 1460,
      );
    });
    const steady = (2 * 64) / 1.46;
    for (const start of [3000, 3100, 3333.3, 4000]) {
      const win: Window = { start, end: start + 15_000 };
      let tokens = 0;
      let arrived = 0;
      for (const s of requests) {
        tokens += 2 * windowShare(win, s, measure(s), 1, true).outputTokensPerS;
        arrived += (2 * s.chunks.filter((t) => t >= win.start && t < win.end).length) / 15;
      }
      assert.ok(Math.abs(tokens - steady) < 1e-9, `window at ${start}: ${tokens} vs ${steady}`);
      if (start === 3000) assert.ok(Math.abs(arrived / steady - 1) > 0.004, `arrivals: ${arrived}`);
    }
  });

  it('gives the exact closed-loop figure for a steady synthetic load', () => {
    // 10 streams back to back per VU, 2 VUs, 9 tokens each 10 ms apart after a 100 ms TTFT, ending 10 ms after the last: 190 ms each.
    const win: Window = { start: 0, end: 1900 };
    let tokens = 0;
    for (let vu = 0; vu < 2; vu++)
      for (let i = 0; i < 10; i++) {
        const t0 = i * 190;
        const s = stream(
          t0,
          Array.from({ length: 9 }, (_, k) => t0 + 100 + k * 10),
          t0 + 190,
        );
        tokens += windowShare(win, s, measure(s), 1, true).outputTokensPerS;
      }
    assert.ok(Math.abs(tokens - (2 * 10 * 9) / 1.9) < 1e-9, String(tokens));
  });
});

describe('goodput SLOs', () => {
  const m = measure(stream(0, [200, 220, 240], 250))!; // TTFT 200, TPOT 25, E2EL 250

  it("parses vLLM's --goodput syntax and checks every bound given", () => {
    assert.deepEqual(parseSlo('ttft:300, tpot:30'), { ttft: 300, tpot: 30 });
    assert.equal(meetsSlo(m, parseSlo('ttft:300,tpot:30,e2el:250')), true);
    assert.equal(meetsSlo(m, parseSlo('ttft:199')), false);
    assert.equal(meetsSlo(m, parseSlo('tpot:24')), false);
    assert.equal(meetsSlo(m, parseSlo('e2el:249.9')), false);
    assert.equal(meetsSlo(m, parseSlo('')), true);
  });

  it('names every bad entry of GOODPUT at once', () => {
    assert.throws(
      () => parseSlo('ttft:0,latency:5,tpot:x'),
      /GOODPUT: "ttft:0" \(the bound must be a positive number of milliseconds\); "latency:5" \(expected ttft, tpot or e2el, then :milliseconds\); "tpot:x"/,
    );
  });
});

describe('the per-request record', () => {
  it('holds the start, TTFT, every arrival offset and both token counts, and survives its console line', () => {
    const s = stream(1000.25, [1200.5, 1220.75], 1230, [12, 2]);
    const r = requestRecord(
      { scenario: 'openai', step: null, vu: 3, iteration: 7, measured: true, status: 200, good: true },
      s,
      measure(s),
      11,
      null,
    );
    assert.deepEqual(r.token_offsets_ms, [200.25, 220.5]);
    assert.deepEqual([r.ttft_ms, r.e2el_ms, r.start], [200.25, 229.75, 1000.25]);
    assert.deepEqual(r.input_tokens, { client: 11, server: 12 });
    assert.deepEqual(r.output_tokens, { client: 2, server: 2 });
    const line = recordLine({ ...r, error: 'a "quoted" error\\n with spaces' });
    assert.ok(line.startsWith(RECORD_MARKER));
    assert.doesNotMatch(line, /["\\ ]/);
    assert.equal(
      JSON.parse(decodeURIComponent(line.slice(RECORD_MARKER.length))).error,
      'a "quoted" error\\n with spaces',
    );
  });
});

describe('the clock', () => {
  it('uses timeOrigin + performance.now() where offered, else Date.now()', () => {
    const hr = makeClock({ now: () => 1.5, timeOrigin: 1000 });
    assert.deepEqual([hr.highResolution, hr.now()], [true, 1001.5]);
    const fallback = makeClock(undefined);
    assert.equal(fallback.highResolution, false);
    assert.ok(Math.abs(fallback.now() - Date.now()) < 1000);
    assert.equal(makeClock({ now: () => 1 }).highResolution, false);
  });
});
