/**
 * Chart specs from timeseries.json: every chart is an x axis (seconds since start, one point per bucket,
 * dense: an omitted bucket means no samples, so counts read 0 and gauges/percentiles a gap) and named
 * series. The browser script only draws them (assets/page.js).
 */
import type { Bucket, BucketTrend, ScenarioBucket, Timeseries } from './types.ts';

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
}

export interface ChartSpec {
  id: string;
  title: string;
  unit: string;
  x: number[];
  series: ChartSeries[];
}

export interface ChartGroup {
  title: string;
  charts: ChartSpec[];
}

type Pick = (b: Bucket) => number | null;

function dense(ts: Timeseries): { x: number[]; at: Array<Bucket | null> } {
  const step = ts.bucketSeconds;
  const byT = new Map(ts.buckets.map((b) => [b.t, b]));
  const last = ts.buckets.reduce((m, b) => Math.max(m, b.t), 0);
  const x: number[] = [];
  const at: Array<Bucket | null> = [];
  for (let t = 0; t <= last; t += step) {
    x.push(t);
    at.push(byT.get(t) ?? null);
  }
  return { x, at };
}

const perSecond = (v: number | undefined, step: number) => (v ?? 0) / step;

function trendNames(ts: Timeseries): string[] {
  const names = new Set<string>();
  for (const b of ts.buckets) for (const n of Object.keys(b.trends ?? {})) names.add(n);
  return [...names].sort((a, b) => (a === 'http_req_duration' ? -1 : b === 'http_req_duration' ? 1 : a.localeCompare(b)));
}

function latencySeries(pick: (b: Bucket | null) => BucketTrend | undefined, at: Array<Bucket | null>): ChartSeries[] {
  return (['p50', 'p95', 'p99'] as const).map((p) => ({ label: p, values: at.map((b) => pick(b)?.[p] ?? null) }));
}

function scenarioNames(ts: Timeseries): string[] {
  const names = new Set<string>();
  for (const b of ts.buckets) for (const n of Object.keys(b.scenarios ?? {})) names.add(n);
  return [...names].sort();
}

function scenarioGroup(name: string, index: number, x: number[], at: Array<Bucket | null>, step: number): ChartGroup {
  const sc = (b: Bucket | null): ScenarioBucket | undefined => b?.scenarios?.[name];
  const rate = (f: (s: ScenarioBucket) => number | undefined) => at.map((b) => perSecond(sc(b) ? f(sc(b)!) : 0, step));
  const throughput: ChartSeries[] = [
    { label: 'requests/s', values: rate((s) => s.http_reqs) },
    { label: 'iterations/s', values: rate((s) => s.iterations) },
    { label: 'failed requests/s', values: rate((s) => s.http_req_failed) },
  ];
  if (at.some((b) => sc(b)?.vus !== undefined)) throughput.push({ label: 'VUs', values: at.map((b) => sc(b)?.vus ?? null) });
  return {
    title: `Scenario: ${name}`,
    charts: [
      { id: `scenario-${index}-throughput`, title: `${name}: throughput`, unit: '/s', x, series: throughput },
      { id: `scenario-${index}-latency`, title: `${name}: http_req_duration`, unit: 'ms', x, series: latencySeries((b) => sc(b)?.http_req_duration, at) },
    ],
  };
}

/** The overview group, one latency chart per Trend, and one group per scenario. */
export function buildCharts(ts: Timeseries): ChartGroup[] {
  const step = ts.bucketSeconds;
  const { x, at } = dense(ts);
  const series = (label: string, pick: Pick): ChartSeries => ({ label, values: at.map((b) => (b ? pick(b) : null)) });
  const count = (label: string, pick: (b: Bucket) => number | undefined): ChartSeries => ({ label, values: at.map((b) => perSecond(b ? pick(b) : 0, step)) });
  const overview: ChartGroup = {
    title: 'Overview',
    charts: [
      { id: 'throughput', title: 'Throughput', unit: '/s', x, series: [count('http_reqs/s', (b) => b.http_reqs), count('iterations/s', (b) => b.iterations)] },
      { id: 'vus', title: 'Virtual users', unit: 'VUs', x, series: [series('VUs', (b) => b.vus ?? null)] },
      {
        id: 'errors', title: 'Errors', unit: '/s', x,
        series: [count('failed requests/s', (b) => b.http_req_failed), count('failed checks/s', (b) => b.checks_failed), count('dropped iterations/s', (b) => b.dropped_iterations)],
      },
    ],
  };
  const latency: ChartGroup = {
    title: 'Latency',
    charts: trendNames(ts).map((name, i) => ({ id: `trend-${i}`, title: name, unit: 'ms', x, series: latencySeries((b) => b?.trends?.[name], at) })),
  };
  return [overview, latency, ...scenarioNames(ts).map((name, i) => scenarioGroup(name, i, x, at, step))];
}
