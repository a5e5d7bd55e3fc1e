/** The comparison of the kit's TTFT with the server's own timings (run/server-timings.ts), on synthetic records. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  compareRequestsFile,
  compareServerTimings,
  formatServerTimings,
  percentile,
} from '../../run/server-timings.ts';

const row = (ttft: number, prompt: number, measured = true) => ({
  measured,
  ttft_ms: ttft,
  server_timings: { prompt_n: 10, prompt_ms: prompt, predicted_n: 4, predicted_ms: 8 },
});

describe('server timings comparison', () => {
  it('takes nearest-rank percentiles', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.deepEqual([percentile(v, 50), percentile(v, 99), percentile(v, 100), percentile([7], 99)], [50, 99, 100, 7]);
    assert.throws(() => percentile([], 50), /no values/);
  });

  it('subtracts the server prompt time from each TTFT, over measured requests with timings only', () => {
    const rows = [
      ...Array.from({ length: 99 }, (_, i) => row(10 + i * 0.01, 8)),
      row(50, 8),
      row(1000, 1, false),
      { measured: true, ttft_ms: 5, server_timings: null },
      { measured: true, ttft_ms: null, server_timings: row(1, 1).server_timings },
    ];
    const c = compareServerTimings(rows)!;
    assert.equal(c.requests, 100);
    assert.equal(c.promptMs.p50, 8);
    assert.ok(Math.abs(c.ttftMinusPromptMs.p50 - 2.49) < 1e-9, String(c.ttftMinusPromptMs.p50));
    assert.ok(Math.abs(c.ttftMinusPromptMs.p99 - 2.98) < 1e-9, String(c.ttftMinusPromptMs.p99));
    assert.equal(c.serverMsPerToken.p50, 2);
    assert.match(formatServerTimings(c), /100 measured requests.*\n.*TTFT - prompt_ms p50 2\.49 \/ p99 2\.98 ms/);
  });

  it('is null without any server timings (the mock, a provider that sends none)', () => {
    assert.equal(compareServerTimings([{ measured: true, ttft_ms: 5, server_timings: null }]), null);
  });

  it('reads requests.jsonl, skipping a line that does not parse', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k6lp-timings-'));
    try {
      const file = join(dir, 'requests.jsonl');
      writeFileSync(file, `${JSON.stringify(row(12, 10))}\n{broken\n${JSON.stringify(row(14, 10))}\n`);
      const c = (await compareRequestsFile(file))!;
      assert.deepEqual([c.requests, c.ttftMinusPromptMs.p50, c.ttftMinusPromptMs.p99], [2, 2, 4]);
      assert.equal(await compareRequestsFile(join(dir, 'none.jsonl')), null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
