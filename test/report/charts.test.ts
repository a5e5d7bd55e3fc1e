import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCharts, MAX_POINTS } from '../../report/charts.ts';
import type { Bucket, Timeseries } from '../../report/types.ts';

const trend = (p95: number) => ({ count: 1, avg: p95, p50: p95, p95, p99: p95, max: p95 });

function series(n: number, bucket: (t: number) => Bucket): Timeseries {
  return {
    version: 1,
    bucketSeconds: 1,
    startTime: '2026-11-25T12:00:00.000Z',
    buckets: Array.from({ length: n }, (_, t) => bucket(t)),
  };
}

describe('buildCharts', () => {
  it('fills omitted buckets: counts read 0, gauges and percentiles a gap', () => {
    const ts = series(1, () => ({ t: 0, vus: 3, http_reqs: 4, trends: { http_req_duration: trend(9) } }));
    ts.buckets.push({ t: 2, vus: 5, http_reqs: 6, trends: { http_req_duration: trend(7) } });
    const [overview, latency] = buildCharts(ts);
    assert.deepEqual(overview!.charts[0]!.x, [0, 1, 2]);
    assert.deepEqual(overview!.charts[0]!.series[0]!.values, [4, 0, 6]);
    assert.deepEqual(overview!.charts[1]!.series[0]!.values, [3, null, 5]);
    assert.deepEqual(latency!.charts[0]!.series[1]!.values, [9, null, 7]);
  });

  it('divides counts by the bucket length to get per-second rates', () => {
    const ts: Timeseries = {
      version: 1,
      bucketSeconds: 5,
      startTime: '2026-11-25T12:00:00.000Z',
      buckets: [
        { t: 0, http_reqs: 50 },
        { t: 5, http_reqs: 10 },
      ],
    };
    const throughput = buildCharts(ts)[0]!.charts[0]!;
    assert.deepEqual(throughput.x, [0, 5]);
    assert.deepEqual(throughput.series[0]!.values, [10, 2]);
  });

  it('merges a long run to at most MAX_POINTS points: rates averaged, percentiles at their maximum', () => {
    const n = MAX_POINTS * 2 + 2; // k = 3
    const ts = series(n, (t) => ({
      t,
      vus: t % 3,
      http_reqs: t % 3 === 0 ? 30 : 0,
      trends: { http_req_duration: trend(t % 3 === 1 ? 100 : 1) },
    }));
    const groups = buildCharts(ts);
    for (const c of groups.flatMap((g) => g.charts))
      assert.ok(c.x.length <= MAX_POINTS, `${c.id}: ${c.x.length} points`);
    const [overview, latency] = groups;
    assert.deepEqual(overview!.charts[0]!.series[0]!.values.slice(0, 2), [10, 10]);
    assert.deepEqual(overview!.charts[1]!.series[0]!.values.slice(0, 2), [2, 2]);
    assert.deepEqual(latency!.charts[0]!.series[1]!.values.slice(0, 2), [100, 100]);
    assert.match(overview!.note ?? '', /each point merges 3 buckets/);
  });
});
