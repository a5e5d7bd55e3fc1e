/**
 * Chart specs from timeseries.json: every chart is an x axis (seconds since start, one point per bucket,
 * dense: an omitted bucket means no samples, so counts read 0 and gauges/percentiles a gap) and named
 * series. The browser script only draws them (assets/page.js).
 */
import type { Bucket, BucketTrend, ScenarioBucket, Timeseries } from './types.ts';

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  /** How points merge when a long run is downsampled: per-second rates average, percentiles and VUs keep the max. */
  agg: 'mean' | 'max';
}

export interface ChartSpec {
  id: string;
  title: string;
  unit: string;
  /** The x axis' label when x is not seconds since start (then values are printed as numbers). */
  xLabel?: string;
  x: number[];
  series: ChartSeries[];
}

export interface ChartGroup {
  title: string;
  charts: ChartSpec[];
  /** A line under the group title, e.g. the Trends left out because they were always 0. */
  note?: string;
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

/** Chart values keep 3 decimals: enough to draw, and the embedded JSON stays small. */
const r3 = (v: number) => Math.round(v * 1000) / 1000;
const perSecond = (v: number | undefined, step: number) => r3((v ?? 0) / step);

/** k6's built-in timing Trends other than http_req_duration: charted apart, as a breakdown. */
const BREAKDOWN = new Set([
  'http_req_blocked',
  'http_req_connecting',
  'http_req_tls_handshaking',
  'http_req_sending',
  'http_req_waiting',
  'http_req_receiving',
  'iteration_duration',
  'group_duration',
]);

/** Trend names with samples, http_req_duration first; `zero` lists those whose max is 0 in every bucket. */
function trendNames(ts: Timeseries): { names: string[]; zero: string[] } {
  const max = new Map<string, number>();
  for (const b of ts.buckets)
    for (const [n, t] of Object.entries(b.trends ?? {})) max.set(n, Math.max(max.get(n) ?? 0, t.max));
  const all = [...max.keys()].sort((a, b) =>
    a === 'http_req_duration' ? -1 : b === 'http_req_duration' ? 1 : a.localeCompare(b),
  );
  return { names: all.filter((n) => max.get(n)! > 0), zero: all.filter((n) => max.get(n) === 0) };
}

function latencySeries(pick: (b: Bucket | null) => BucketTrend | undefined, at: Array<Bucket | null>): ChartSeries[] {
  return (['p50', 'p95', 'p99'] as const).map((p) => ({
    label: p,
    agg: 'max' as const,
    values: at.map((b) => {
      const v = pick(b)?.[p];
      return v === undefined ? null : r3(v);
    }),
  }));
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
    { label: 'requests/s', agg: 'mean', values: rate((s) => s.http_reqs) },
    { label: 'iterations/s', agg: 'mean', values: rate((s) => s.iterations) },
    { label: 'failed requests/s', agg: 'mean', values: rate((s) => s.http_req_failed) },
  ];
  if (at.some((b) => sc(b)?.vus !== undefined))
    throughput.push({ label: 'VUs', agg: 'max', values: at.map((b) => sc(b)?.vus ?? null) });
  return {
    title: `Scenario: ${name}`,
    charts: [
      { id: `scenario-${index}-throughput`, title: `${name}: throughput`, unit: '/s', x, series: throughput },
      {
        id: `scenario-${index}-latency`,
        title: `${name}: http_req_duration`,
        unit: 'ms',
        x,
        series: latencySeries((b) => sc(b)?.http_req_duration, at),
      },
    ],
  };
}

/** The overview group, one latency chart per Trend, and one group per scenario. */
export function buildCharts(ts: Timeseries): ChartGroup[] {
  const step = ts.bucketSeconds;
  const { x, at } = dense(ts);
  const series = (label: string, pick: Pick): ChartSeries => ({
    label,
    agg: 'max',
    values: at.map((b) => (b ? pick(b) : null)),
  });
  const count = (label: string, pick: (b: Bucket) => number | undefined): ChartSeries => ({
    label,
    agg: 'mean',
    values: at.map((b) => perSecond(b ? pick(b) : 0, step)),
  });
  const overview: ChartGroup = {
    title: 'Overview',
    charts: [
      {
        id: 'throughput',
        title: 'Throughput',
        unit: '/s',
        x,
        series: [count('http_reqs/s', (b) => b.http_reqs), count('iterations/s', (b) => b.iterations)],
      },
      { id: 'vus', title: 'Virtual users', unit: 'VUs', x, series: [series('VUs', (b) => b.vus ?? null)] },
      {
        id: 'errors',
        title: 'Errors',
        unit: '/s',
        x,
        series: [
          count('failed requests/s', (b) => b.http_req_failed),
          count('failed checks/s', (b) => b.checks_failed),
          count('dropped iterations/s', (b) => b.dropped_iterations),
        ],
      },
    ],
  };
  const { names, zero } = trendNames(ts);
  const trendChart = (name: string, i: number): ChartSpec => ({
    id: `trend-${i}`,
    title: name,
    unit: 'ms',
    x,
    series: latencySeries((b) => b?.trends?.[name], at),
  });
  const charts = names.map(trendChart);
  const latency: ChartGroup = {
    title: 'Latency (p50, p95, p99 per second)',
    charts: charts.filter((c) => !BREAKDOWN.has(c.title)),
  };
  const breakdown: ChartGroup = {
    title: 'Request phases and iteration duration',
    charts: charts.filter((c) => BREAKDOWN.has(c.title)),
  };
  if (zero.length) breakdown.note = `Always 0, not charted: ${zero.join(', ')}.`;
  const groups = [
    overview,
    latency,
    breakdown,
    ...scenarioNames(ts).map((name, i) => scenarioGroup(name, i, x, at, step)),
  ];
  return x.length > MAX_POINTS ? downsample(groups, Math.ceil(x.length / MAX_POINTS)) : groups;
}

/** More points than a chart is pixels wide only slows the page: long runs are merged k buckets to one point. */
export const MAX_POINTS = 1500;

function merge(values: Array<number | null>, k: number, agg: ChartSeries['agg']): Array<number | null> {
  const out: Array<number | null> = [];
  for (let i = 0; i < values.length; i += k) {
    const part = values.slice(i, i + k).filter((v): v is number => v !== null);
    if (part.length === 0) out.push(null);
    else out.push(agg === 'max' ? Math.max(...part) : r3(part.reduce((a, b) => a + b, 0) / part.length));
  }
  return out;
}

function downsample(groups: ChartGroup[], k: number): ChartGroup[] {
  return groups.map((g, i) => ({
    ...g,
    note:
      i === 0
        ? [g.note, `Long run: each point merges ${k} buckets (rates averaged, percentiles and VUs at their maximum).`]
            .filter(Boolean)
            .join(' ')
        : g.note,
    charts: g.charts.map((c) => ({
      ...c,
      x: c.x.filter((_, j) => j % k === 0),
      series: c.series.map((s) => ({ ...s, values: merge(s.values, k, s.agg) })),
    })),
  }));
}
