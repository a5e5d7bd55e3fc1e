/**
 * The LLM charts of an llm-stream run (docs/llm-benchmarking.md, "In the report"):
 *  - TTFT and ITL distributions: the cumulative distribution of `llm_ttft` and `llm_itl` from
 *    histograms.json (the Node engine writes it; under k6, from requests.jsonl instead), read at
 *    every half percentile and at 99.9;
 *  - for a sweep (records with a `step`), one point per step against its achieved request
 *    throughput: TTFT p50/p99 and E2EL p50, and requests/s beside goodput/s. A step's
 *    throughput is, summed over its scenarios (one per provider), (measured successful requests
 *    - 1) / (last start - first start); its goodput that times the share that met every SLO (`good`).
 */
import type { ChartGroup, ChartSeries, ChartSpec } from './charts.ts';
import { histogramBins, decodeHistograms } from './hdr.ts';
import type { Bins } from './stats.ts';
import type { HistogramsFile } from './types.ts';

/** The fields of a requests.jsonl line the report reads (scripts/lib/llm-window.ts writes them). */
export interface LlmRequestLine {
  scenario?: string;
  step?: number | null;
  measured?: boolean;
  status?: number;
  good?: boolean;
  start?: number;
  ttft_ms?: number | null;
  e2el_ms?: number | null;
  token_offsets_ms?: number[];
}

const r3 = (v: number) => Math.round(v * 1000) / 1000;
/** The percentiles a distribution is read at: every half percentile, then 99.9. */
const GRID = [...Array.from({ length: 200 }, (_, i) => i / 2), 99.9, 100];

/** Value at percentile p of sorted bins (the lowest value whose cumulative share reaches p). */
function valueAt(b: Bins, p: number): number {
  const want = (p / 100) * b.total;
  let i = 0;
  while (i < b.values.length - 1 && b.cumulative[i]! < want) i++;
  return b.values[i]!;
}

function cdfChart(id: string, title: string, b: Bins): ChartSpec {
  return {
    id,
    title,
    unit: '% of samples ≤ x',
    xLabel: 'ms',
    x: GRID.map((p) => r3(valueAt(b, p))),
    series: [{ label: 'cumulative %', agg: 'max', values: GRID }],
  };
}

const sortedBins = (xs: number[]): Bins => {
  const counts = new Map<number, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  const values = Float64Array.from(counts.keys()).sort();
  const cumulative = new Float64Array(values.length);
  let total = 0;
  values.forEach((v, i) => (cumulative[i] = total += counts.get(v)!));
  return { values, counts: values.map((v) => counts.get(v)!), cumulative, total };
};

/** TTFT and ITL distributions: from histograms.json where it has them, else from the measured records. */
function distributions(hist: HistogramsFile | null, records: LlmRequestLine[]): ChartSpec[] {
  const measured = records.filter((r) => r.measured && r.ttft_ms != null);
  const fromRecords: Record<string, number[]> = {
    llm_ttft: measured.map((r) => r.ttft_ms!),
    llm_itl: measured.flatMap((r) =>
      (r.token_offsets_ms ?? []).slice(1).map((t, i) => r3(t - r.token_offsets_ms![i]!)),
    ),
  };
  const decoded = hist ? decodeHistograms(hist, 'histograms.json') : null;
  try {
    return (['llm_ttft', 'llm_itl'] as const).flatMap((name) => {
      const h = decoded?.get(name);
      const bins = h && h.totalCount > 0 ? histogramBins(h, decoded!.scale) : sortedBins(fromRecords[name]!);
      const what = name === 'llm_ttft' ? 'TTFT' : 'ITL';
      return bins.total ? [cdfChart(`${name.replace('_', '-')}-cdf`, `${what} distribution (${name})`, bins)] : [];
    });
  } finally {
    decoded?.destroy();
  }
}

interface StepPoint {
  step: number;
  throughput: number;
  goodput: number;
  ttftP50: number;
  ttftP99: number;
  e2elP50: number;
}

function quantile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** Sum over the step's scenarios (one per provider) of (requests - 1) / (last start - first start); null under 2 requests. */
function stepThroughput(rs: LlmRequestLine[]): number | null {
  const starts = new Map<string, number[]>();
  for (const r of rs) starts.set(r.scenario ?? '', [...(starts.get(r.scenario ?? '') ?? []), r.start ?? 0]);
  let sum = 0;
  for (const xs of starts.values()) {
    const span = (Math.max(...xs) - Math.min(...xs)) / 1000;
    if (xs.length < 2 || span <= 0) return null;
    sum += (xs.length - 1) / span;
  }
  return sum;
}

/** One point per sweep step with at least two measured successful requests, by ascending throughput. */
export function sweepPoints(records: LlmRequestLine[]): StepPoint[] {
  const byStep = new Map<number, LlmRequestLine[]>();
  for (const r of records)
    if (typeof r.step === 'number' && r.measured && r.status === 200 && r.ttft_ms != null && r.e2el_ms != null)
      byStep.set(r.step, [...(byStep.get(r.step) ?? []), r]);
  const points: StepPoint[] = [];
  for (const [step, rs] of byStep) {
    const throughput = stepThroughput(rs);
    if (throughput === null) continue;
    const ttft = rs.map((r) => r.ttft_ms!);
    points.push({
      step,
      throughput: r3(throughput),
      goodput: r3((throughput * rs.filter((r) => r.good).length) / rs.length),
      ttftP50: quantile(ttft, 50),
      ttftP99: quantile(ttft, 99),
      e2elP50: quantile(
        rs.map((r) => r.e2el_ms!),
        50,
      ),
    });
  }
  return points.sort((a, b) => a.throughput - b.throughput);
}

function sweepCharts(points: StepPoint[]): ChartSpec[] {
  if (points.length === 0) return [];
  const x = points.map((p) => p.throughput);
  const line = (label: string, f: (p: StepPoint) => number): ChartSeries => ({ label, agg: 'max', values: points.map(f) }); // prettier-ignore
  return [
    {
      id: 'llm-sweep-latency',
      title: 'Latency against throughput, one point per step',
      unit: 'ms',
      xLabel: 'requests/s',
      x,
      series: [line('TTFT p50', (p) => p.ttftP50), line('TTFT p99', (p) => p.ttftP99), line('E2EL p50', (p) => p.e2elP50)], // prettier-ignore
    },
    {
      id: 'llm-sweep-goodput',
      title: 'Goodput against throughput, one point per step',
      unit: 'requests/s',
      xLabel: 'requests/s',
      x,
      series: [line('requests/s', (p) => p.throughput), line('goodput/s', (p) => p.goodput)],
    },
  ];
}

/** The LLM group of the page, or null when the run has no LLM figures. */
export function llmCharts(hist: HistogramsFile | null, records: LlmRequestLine[]): ChartGroup | null {
  const charts = [...distributions(hist, records), ...sweepCharts(sweepPoints(records))];
  if (charts.length === 0) return null;
  const steps = sweepPoints(records).map((p) => `step ${p.step}: ${p.throughput}/s`);
  return {
    title: 'LLM streaming (llm-stream)',
    note: steps.length ? `Sweep steps by achieved throughput: ${steps.join(', ')}.` : undefined,
    charts,
  };
}
