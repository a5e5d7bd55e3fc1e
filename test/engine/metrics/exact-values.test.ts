import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import {
  Aggregator,
  EXACT_CAP,
  WorkerMetrics,
  hdrPercentile,
  percentileSorted,
  transferables,
} from '../../../engine/metrics/index.ts';
import { ExactValues, ValueBudget } from '../../../engine/metrics/exact-values.ts';
import { TrendSink, type TrendData } from '../../../engine/metrics/sinks.ts';
import { T0, prng } from './helpers.ts';

const ascending = (xs: number[]) => Float64Array.from(xs).sort();
const ctx = { options: {}, state: { testRunDurationMs: 8000, isStdOutTTY: false, isStdErrTTY: false } };

describe('exact Trend percentiles', () => {
  it('sorts incrementally: reads between pushes give the same order as one sort of everything', () => {
    const r = prng(5);
    const x = new ExactValues();
    const all: number[] = [];
    for (let round = 0; round < 40; round++) {
      const n = Math.floor(r() * 300);
      for (let i = 0; i < n; i++) {
        const v = r() < 0.2 ? Math.floor(r() * 5) : (r() - 0.3) * 1000; // duplicates and negatives
        all.push(v);
        x.push(v);
      }
      if (round % 3 === 0) x.pushAll(all.slice(-5));
      if (round % 3 === 0) all.push(...all.slice(-5));
      assert.deepEqual(x.ascending(), ascending(all), `round ${round}`);
    }
  });

  it('reads an inter-token latency median to the microsecond, where an HDR bucket reads 16 µs low', () => {
    // 20 ms ± 0.02 ms at microsecond resolution: most values sit just under 20.000 ms.
    const r = prng(8);
    const values = Array.from({ length: 3000 }, () => Math.round((19.997 + (r() - 0.5) * 0.02) * 1000) / 1000);
    const s = new TrendSink();
    for (const v of values) s.add(v);
    const exact = percentileSorted(ascending(values), 0.5);
    assert.equal(s.stat('med'), exact);
    const fromHdr = hdrPercentile(s.hist, 50, s.min, s.max);
    assert.ok(exact - fromHdr > 0.005, `HDR read ${fromHdr}, exact ${exact}`);
  });

  it('gives exact percentiles through workers, flushes and the parent, for metrics and threshold submetrics', () => {
    const thresholds = { llm_itl: ['p(50)<100'], 'llm_itl{provider:openai}': ['p(99)<100'] };
    const { selectors } = Aggregator.parseThresholds(thresholds);
    const agg = new Aggregator({ thresholds, startTime: T0, summaryTrendStats: ['med', 'p(90)', 'p(99)', 'p(99.9)'] });
    const ws = [0, 1, 2].map(() => {
      const w = new WorkerMetrics({ submetrics: selectors, startTime: T0 });
      w.define('llm_itl', 'trend', 'time');
      return w;
    });
    const r = prng(13);
    const all: number[] = [];
    const openai: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const v = 20 + (r() - 0.5) * r() * 4;
      const provider = r() < 0.5 ? 'openai' : 'anthropic';
      all.push(v);
      if (provider === 'openai') openai.push(v);
      ws[i % 3]!.add('llm_itl', v, { scenario: 'default', provider }, T0 + i);
      if (i % 4999 === 0) for (const w of ws) agg.merge(structuredClone(w.flush()));
    }
    for (const w of ws) agg.merge(structuredClone(w.flush()));
    const d = agg.summaryData(ctx);
    const want = (xs: number[], p: number) => percentileSorted(ascending(xs), p / 100); // as the sink: p(99.9) is 99.9 / 100
    assert.deepEqual(d.metrics.llm_itl!.values, {
      med: want(all, 50),
      'p(90)': want(all, 90),
      'p(99)': want(all, 99),
      'p(99.9)': want(all, 99.9),
    });
    assert.equal(d.metrics['llm_itl{provider:openai}']!.values['p(99)'], want(openai, 99));
  });

  it('keeps values exact through a part file (JSON) merged by another process', () => {
    const thresholds = { my_trend: ['p(95)<1000'] };
    const part = () => {
      const agg = new Aggregator({ thresholds, startTime: T0 });
      const w = new WorkerMetrics({ submetrics: [], startTime: T0 });
      w.define('my_trend', 'trend', 'time');
      return { agg, w };
    };
    const a = part();
    const b = part();
    const values = [5.5, 1.25, 900.001, 3, 42.042, 7.007];
    values.forEach((v, i) => (i % 2 ? a : b).w.add('my_trend', v, { scenario: 'x' }, T0 + i));
    for (const p of [a, b]) p.agg.merge(structuredClone(p.w.flush()));
    const combined = new Aggregator({ thresholds, startTime: T0 });
    for (const p of [a, b]) combined.merge(JSON.parse(JSON.stringify(p.agg.snapshot())));
    const sink = combined.sinkOf('my_trend') as TrendSink;
    assert.equal(sink.isExact, true);
    assert.equal(sink.percentile(50), percentileSorted(ascending(values), 0.5));
  });

  it('reads HDR once a delta comes without its values, or with values that do not match', () => {
    const worker = new TrendSink();
    for (const v of [1, 2, 3, 4]) worker.add(v);
    const d = worker.take()!;
    const parent = new TrendSink();
    parent.merge({ ...d, values: undefined } as TrendData);
    assert.equal(parent.isExact, false);
    assert.equal(parent.percentile(100), 4);
    for (const bad of [[1, 2, 3], ['1', 2, 3, 4], [1, 2, Number.NaN, 4], { length: 4 }]) {
      const p = new TrendSink();
      p.merge({ ...d, values: bad } as unknown as TrendData);
      assert.equal(p.isExact, false, JSON.stringify(bad));
      assert.equal(p.percentile(0), 1);
    }
  });

  it('stops keeping values past EXACT_CAP, in a sink, in a parent and in one worker flush', () => {
    const s = new TrendSink();
    for (let i = 0; i <= EXACT_CAP; i++) s.add(i % 1000);
    assert.equal(s.isExact, false);
    assert.ok(Math.abs(s.percentile(50) - 499.5) <= 0.5 + 0.5, `${s.percentile(50)}`);

    const parent = new TrendSink();
    const half = new TrendSink();
    for (let i = 0; i < EXACT_CAP / 2 + 1; i++) half.add(i);
    const delta = half.take()!;
    parent.merge(delta);
    assert.equal(parent.isExact, true);
    parent.merge(delta);
    assert.equal(parent.isExact, false);

    const w = new WorkerMetrics({ submetrics: [], startTime: T0 });
    for (let i = 0; i <= EXACT_CAP; i++) w.add('http_req_duration', 1, { scenario: 'x' }, T0);
    const over = w.flush().metrics.http_req_duration as TrendData;
    assert.equal(over.count, EXACT_CAP + 1);
    assert.equal(over.values, undefined);
    w.add('http_req_duration', 2, { scenario: 'x' }, T0);
    assert.deepEqual(Array.from((w.flush().metrics.http_req_duration as TrendData).values!), [2]);
  });

  it('shares one budget between sinks: the one that does not fit reads HDR and gives its room back', () => {
    const budget = new ValueBudget(1000);
    const a = new TrendSink(budget);
    const b = new TrendSink(budget);
    for (let i = 0; i < 600; i++) a.add(i);
    assert.ok(budget.used >= 600 && budget.used <= 1000, `${budget.used}`);
    const heldByA = budget.used;
    for (let i = 0; i < 500; i++) b.add(i);
    assert.deepEqual([a.isExact, b.isExact, budget.used], [true, false, heldByA]);
    assert.equal(a.percentile(50), 299.5);
    assert.equal(b.count, 500);
    assert.ok(Math.abs(b.percentile(100) - 499) <= 499 * 0.001, `${b.percentile(100)}`); // HDR's bound
  });

  it("moves a flush's Trend values to the parent's thread instead of copying them", () => {
    const thresholds = { 'my_trend{name:a}': ['p(50)<10'] };
    const w = new WorkerMetrics({ submetrics: Aggregator.parseThresholds(thresholds).selectors, startTime: T0 });
    w.define('my_trend', 'trend', 'time');
    for (const v of [3, 1, 2]) w.add('my_trend', v, { scenario: 'x', name: 'a' }, T0);
    const snapshot = w.flush();
    const buffers = transferables([snapshot]);
    assert.equal(buffers.length, 2); // the metric's and the submetric's
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(snapshot, buffers);
    assert.equal((snapshot.metrics.my_trend as TrendData).values!.length, 0, 'the sender no longer holds them');
    const agg = new Aggregator({ thresholds, startTime: T0 });
    agg.merge(receiveMessageOnPort(port2)!.message);
    port1.close();
    assert.equal((agg.sinkOf('my_trend{name:a}') as TrendSink).isExact, true);
    assert.equal(agg.sinkOf('my_trend')!.stat('med', 0), 2);
  });
});
