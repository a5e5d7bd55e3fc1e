import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Aggregator, WorkerMetrics, decodeHistogram } from '../../../engine/metrics/index.ts';
import { T0, prng, type Sample } from './helpers.ts';

const thresholds = {
  http_req_duration: ['p(95)<500', 'avg<100'],
  'http_req_duration{name:submit}': ['p(99)<800'],
  http_reqs: ['count>10'],
  checks: ['rate>0.5'],
  my_trend: ['max<5000'],
};

function samples(n: number, seed: number): Sample[] {
  const r = prng(seed);
  const out: Sample[] = [];
  for (let i = 0; i < n; i++) {
    const time = T0 + ((i * 7919) % n) * 2; // unique times, out of order
    const scenario = r() < 0.7 ? 'load' : 'spike';
    const name = r() < 0.5 ? 'submit' : 'list';
    const group = r() < 0.3 ? '::g1' : r() < 0.5 ? '::g1::g2' : '';
    out.push({ name: 'http_reqs', value: 1, tags: { scenario, name }, time });
    out.push({
      name: 'http_req_duration',
      value: Math.floor(r() * 900) + 1,
      tags: { scenario, name, expected_response: r() < 0.9 ? 'true' : 'false' },
      time,
    });
    out.push({ name: 'http_req_failed', value: r() < 0.05 ? 1 : 0, tags: { scenario }, time });
    out.push({
      name: 'checks',
      value: r() < 0.8 ? 1 : 0,
      tags: { scenario, group, check: r() < 0.5 ? 'status is 200' : 'has body' },
      time,
    });
    out.push({ name: 'vus', value: Math.floor(r() * 50), tags: {}, time });
    out.push({ name: 'data_received', value: Math.floor(r() * 4000), tags: { scenario }, time });
    if (i % 5 === 0) out.push({ name: 'my_trend', value: Math.floor(r() * 3000), tags: { scenario }, time });
    if (i % 7 === 0)
      out.push({
        name: 'group_duration',
        value: Math.floor(r() * 100),
        tags: { scenario, group: '::g1::g2::g3' },
        time,
      });
  }
  return out;
}

function run(all: Sample[], workers: number, split: (i: number) => number): Aggregator {
  const { selectors } = Aggregator.parseThresholds(thresholds);
  const agg = new Aggregator({ thresholds, startTime: T0 });
  const ws = Array.from({ length: workers }, () => {
    const w = new WorkerMetrics({ submetrics: selectors, startTime: T0 });
    w.define('my_trend', 'trend', 'time');
    return w;
  });
  all.forEach((s, i) => {
    ws[split(i)]!.add(s.name, s.value, s.tags, s.time);
    if (i === Math.floor(all.length / 2)) for (const w of ws) agg.merge(structuredClone(w.flush()));
  });
  for (const w of ws) agg.merge(structuredClone(w.flush()));
  return agg;
}

/** Checks and groups keep first-seen order, which depends on which worker flushed first: compare sorted. */
function sorted<T extends { root_group: unknown }>(d: T): T {
  type G = { name: string; groups: G[]; checks: { name: string }[] };
  const sortGroup = (g: G): G => ({
    ...g,
    groups: g.groups.map(sortGroup).sort((a, b) => a.name.localeCompare(b.name)),
    checks: [...g.checks].sort((a, b) => a.name.localeCompare(b.name)),
  });
  return { ...d, root_group: sortGroup(d.root_group as G) };
}

const ctx = { options: {}, state: { testRunDurationMs: 8000, isStdOutTTY: false, isStdErrTTY: false } };

describe('merging worker snapshots', () => {
  const all = samples(3000, 7);
  const pick = prng(99);
  const one = run(all, 1, () => 0);
  const two = run(all, 2, () => (pick() < 0.5 ? 0 : 1));
  const three = run(all, 3, (i) => i % 3);

  it('gives the same summary data from two workers as from one that saw every sample', () => {
    assert.deepEqual(sorted(two.summaryData(ctx)), sorted(one.summaryData(ctx)));
  });

  it('gives the same summary data from three workers with flushes mid-way', () => {
    assert.deepEqual(sorted(three.summaryData(ctx)), sorted(one.summaryData(ctx)));
  });

  it('gives the same threshold states', () => {
    assert.deepEqual(two.evaluateThresholds(8000, { final: true }), one.evaluateThresholds(8000, { final: true }));
  });

  it('gives the same time series', () => {
    assert.deepEqual(two.timeseries(), one.timeseries());
  });

  it('gives histograms with the same counts and percentiles', () => {
    const h1 = (one.histograms() as { histograms: Record<string, string> }).histograms;
    const h2 = (two.histograms() as { histograms: Record<string, string> }).histograms;
    assert.deepEqual(Object.keys(h2).sort(), Object.keys(h1).sort());
    for (const k of Object.keys(h1)) {
      const a = decodeHistogram(h1[k]!);
      const b = decodeHistogram(h2[k]!);
      assert.equal(b.totalCount, a.totalCount, k);
      for (const p of [50, 90, 99, 100])
        assert.equal(b.getValueAtPercentile(p), a.getValueAtPercentile(p), `${k} p${p}`);
    }
  });

  it('adds counters, takes the latest gauge value by time and merges checks per group', () => {
    const d = two.summaryData(ctx);
    assert.equal(d.metrics.http_reqs!.values.count, 3000);
    const lastVus = [...all].filter((s) => s.name === 'vus').reduce((a, b) => (b.time >= a.time ? b : a));
    assert.equal(d.metrics.vus!.values.value, lastVus.value);
    const checks = all.filter((s) => s.name === 'checks');
    const g2 = d.root_group.groups.find((g) => g.name === 'g1')!.groups.find((g) => g.name === 'g2')!;
    const expectPass = checks.filter(
      (s) => s.tags.group === '::g1::g2' && s.tags.check === 'has body' && s.value !== 0,
    ).length;
    assert.equal(g2.checks.find((c) => c.name === 'has body')!.passes, expectPass);
    assert.ok(
      g2.groups.find((g) => g.name === 'g3'),
      'a group seen only through group_duration is in the tree',
    );
  });
});

describe('merging whole-run snapshots of several processes (execution segments)', () => {
  const all = samples(3000, 11);
  const one = run(all, 1, () => 0);
  // Two processes, each with its own workers and its own Aggregator, as with --execution-segment.
  const first = run(all.slice(0, 1700), 2, (i) => i % 2);
  const second = run(all.slice(1700), 1, () => 0);
  const combined = new Aggregator({ thresholds, startTime: T0 });
  for (const part of [first, second]) combined.merge(JSON.parse(JSON.stringify(part.snapshot())));

  it('gives the same summary data as one process that saw every sample', () => {
    assert.deepEqual(sorted(combined.summaryData(ctx)), sorted(one.summaryData(ctx)));
  });

  it('gives the same threshold states', () => {
    assert.deepEqual(combined.evaluateThresholds(8000, { final: true }), one.evaluateThresholds(8000, { final: true }));
  });

  it('leaves the aggregator it was taken from unchanged', () => {
    const before = sorted(first.summaryData(ctx));
    first.snapshot();
    assert.deepEqual(sorted(first.summaryData(ctx)), before);
    assert.deepEqual(first.snapshot(), first.snapshot());
  });
});
