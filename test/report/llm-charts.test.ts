/**
 * The LLM section of report.html: TTFT and ITL distributions from histograms.json (or from
 * requests.jsonl without it), and for a sweep latency and goodput against throughput per step,
 * checked in the chart data the page embeds.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import * as hdr from 'hdr-histogram-js';
import { writeReport } from '../../report/index.ts';
import { sweepPoints, type LlmRequestLine } from '../../report/llm-charts.ts';

interface Spec {
  id: string;
  x: number[];
  series: Array<{ label: string; values: number[] }>;
}

function charts(html: string): Record<string, Spec> {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m, 'no embedded data block');
  const data = JSON.parse(m[1]!) as { groups: Array<{ charts: Spec[] }> };
  return Object.fromEntries(data.groups.flatMap((g) => g.charts).map((c) => [c.id, c]));
}

function encoded(values: number[]): string {
  const h = hdr.build({ bitBucketSize: 32, useWebAssembly: false, autoResize: true, lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 }); // prettier-ignore
  for (const v of values) h.recordValue(Math.round(v * 1000));
  const s = hdr.encodeIntoCompressedBase64(h);
  h.destroy();
  return s;
}

/** A sweep of two steps: step 1 at 4/s (TTFT 100 ms, all good), step 2 at 8/s (TTFT 300 ms, half good). */
function sweepRecords(): LlmRequestLine[] {
  const step = (n: number, perS: number, ttft: number) =>
    Array.from({ length: 9 }, (_, i) => ({
      step: n,
      measured: true,
      status: 200,
      good: n === 1 || i % 2 === 0,
      start: 1_000_000 + (i * 1000) / perS,
      ttft_ms: ttft,
      e2el_ms: ttft + 100,
      token_offsets_ms: [ttft, ttft + 20, ttft + 40],
    }));
  return [...step(2, 8, 300), ...step(1, 4, 100)];
}

describe('the LLM section of report.html', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llm-report-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('draws the TTFT and ITL distributions of histograms.json as cumulative percent against ms', async () => {
    writeFileSync(join(dir, 'summary.json'), JSON.stringify({ metrics: {} }));
    const ttft = Array.from({ length: 100 }, (_, i) => 200 + i); // 200..299 ms
    const histograms = { llm_ttft: encoded(ttft), llm_itl: encoded([20, 20, 20, 40]) };
    writeFileSync(join(dir, 'histograms.json'), JSON.stringify({ version: 1, scale: 1000, histograms }));
    const c = charts(readFileSync(await writeReport(dir), 'utf8'));
    const cdf = c['llm-ttft-cdf']!;
    assert.equal(cdf.series[0]!.values[100], 50);
    // HDR keeps 3 significant digits: each value reads within 0.1 % (its bucket's lowest value).
    near(cdf.x[0]!, 200);
    near(cdf.x[100]!, 249);
    near(cdf.x.at(-1)!, 299);
    near(c['llm-itl-cdf']!.x[100]!, 20);
    near(c['llm-itl-cdf']!.x.at(-1)!, 40);
    assert.equal(c['llm-sweep-latency'], undefined);
  });

  it('plots each sweep step against its throughput: TTFT p50/p99, E2EL p50, requests/s and goodput/s', async () => {
    rmSync(join(dir, 'histograms.json'));
    writeFileSync(
      join(dir, 'requests.jsonl'),
      sweepRecords()
        .map((r) => JSON.stringify(r))
        .join('\n') + '\n',
    );
    const c = charts(readFileSync(await writeReport(dir), 'utf8'));
    const latency = c['llm-sweep-latency']!;
    assert.deepEqual(latency.x, [4, 8]);
    assert.deepEqual(latency.series.map((s) => [s.label, s.values]), [['TTFT p50', [100, 300]], ['TTFT p99', [100, 300]], ['E2EL p50', [200, 400]]]); // prettier-ignore
    const goodput = c['llm-sweep-goodput']!;
    assert.deepEqual(goodput.series.map((s) => s.values), [[4, 8], [4, r3((8 * 5) / 9)]]); // prettier-ignore
    assert.equal(c['llm-ttft-cdf']!.x[0], 100, 'without histograms.json, TTFT comes from requests.jsonl');
    assert.equal(c['llm-itl-cdf']!.x[0], 20);
  });

  it('leaves out steps with fewer than two measured successful requests', () => {
    const one = sweepRecords().filter((r) => r.step === 2 || r.start === 1_000_000);
    assert.deepEqual(sweepPoints(one).map((p) => p.step), [2]); // prettier-ignore
  });
});

const r3 = (v: number) => Math.round(v * 1000) / 1000;
const near = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual / expected - 1) <= 0.001, `${actual}, expected ${expected} ± 0.1 %`);
