/**
 * The capacity search's report.html: latency percentiles and achieved throughput (with goodput)
 * against offered load, one point per step, so the knee is visible; the steps as a table, each
 * linked to its own folder. Also the goodput count: how many samples of a trend met a bound,
 * read from the HDR histograms the engine exported.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChartGroup } from './charts.ts';
import { writePage, type PageModel } from './html.ts';
import { decodeHistograms, histogramBins } from './hdr.ts';
import { fmtNumber } from './format.ts';
import { validateHistograms } from './load.ts';

/** One step as the report shows it (medians over its repeats; spreads as [min, max]). */
export interface CapacityStepView {
  index: number;
  load: number;
  held: boolean;
  repeats: number;
  achieved: number | null;
  goodput: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  errorRate: number | null;
  peakRssMb: number | null;
  spread: { achieved: [number, number] | null; p95: [number, number] | null };
  /** The first failing check, e.g. `e2e_duration p(95)<5000 (observed 6120)`. */
  broke: string | null;
  /** The step's folder, relative to the capacity folder. */
  dir: string;
}

export interface CapacityView {
  scenario: string;
  unit: string;
  knob: string;
  trend: { metric: string; bound: number | null };
  capacity: number | null;
  /** One line: what the capacity means (at least max-load, below the start, ...). */
  verdictText: string;
  ok: boolean;
  exitCode: number;
  notes: string[];
  gates: Array<{ name: string; expression: string; observed: number | null; ok: boolean; note: string }>;
  steps: CapacityStepView[];
}

/** Samples of `metric` at or below `bound` (in the metric's unit), from a histograms.json; null without one. */
export async function countWithin(
  histogramsFile: string,
  metric: string,
  bound: number,
): Promise<{ within: number; total: number } | null> {
  let raw: string;
  try {
    raw = await readFile(histogramsFile, 'utf8');
  } catch {
    return null;
  }
  const decoded = decodeHistograms(validateHistograms(JSON.parse(raw), histogramsFile), histogramsFile);
  try {
    const h = decoded.get(metric);
    if (!h) return null;
    const bins = histogramBins(h, decoded.scale);
    let within = 0;
    for (let i = 0; i < bins.values.length && bins.values[i]! <= bound; i++) within = bins.cumulative[i]!;
    return { within, total: bins.total };
  } finally {
    decoded.destroy();
  }
}

function charts(v: CapacityView): ChartGroup {
  const steps = [...v.steps].sort((a, b) => a.load - b.load);
  const x = steps.map((s) => s.load);
  const series = (label: string, pick: (s: CapacityStepView) => number | null) => ({
    label,
    agg: 'max' as const,
    values: steps.map(pick),
  });
  const latency = [series('p50', (s) => s.p50), series('p95', (s) => s.p95), series('p99', (s) => s.p99)];
  if (v.trend.bound !== null) latency.push(series(`bound ${v.trend.bound}`, () => v.trend.bound));
  return {
    title: 'Against offered load',
    note: `one point per step (the median of its repeats); capacity ${v.capacity === null ? 'none' : `${fmtNumber(v.capacity)} ${v.unit}`}`,
    charts: [
      {
        id: 'capacity-latency',
        title: `${v.trend.metric} percentiles`,
        unit: 'ms',
        xLabel: v.unit,
        x,
        series: latency,
      },
      {
        id: 'capacity-throughput',
        title: 'achieved throughput and goodput',
        unit: 'req/s',
        xLabel: v.unit,
        x,
        series: [
          series('achieved', (s) => s.achieved),
          series('goodput', (s) => s.goodput),
          ...(v.knob === 'RATE' ? [series('offered', (s) => s.load)] : []),
        ],
      },
    ],
  };
}

const num = (n: number | null): string => fmtNumber(n);
const range = (r: [number, number] | null): string => (r ? `${fmtNumber(r[0])}–${fmtNumber(r[1])}` : '');

/** The steps table, shared by report.html and summary.md. */
export function capacityStepRows(v: CapacityView): { headers: string[]; rows: string[][] } {
  const headers = [
    'step',
    `load (${v.unit})`,
    'result',
    'achieved req/s',
    'goodput req/s',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'errors',
    'peak RSS MiB',
    'spread (achieved; p95)',
    'first breach',
  ];
  const rows = v.steps.map((s) => [
    String(s.index),
    num(s.load),
    s.held ? 'holds' : 'breaks',
    num(s.achieved),
    num(s.goodput),
    num(s.p50),
    num(s.p95),
    num(s.p99),
    s.errorRate === null ? '–' : `${(s.errorRate * 100).toFixed(2)} %`,
    num(s.peakRssMb),
    s.repeats > 1 ? `${range(s.spread.achieved)}; ${range(s.spread.p95)} (${s.repeats} runs)` : '',
    s.broke ?? '',
  ]);
  return { headers, rows };
}

export function capacityPageModel(v: CapacityView, now: Date = new Date()): PageModel {
  const table = capacityStepRows(v);
  return {
    title: `k6-llm-perf capacity: ${v.scenario}`,
    status: v.ok ? 'pass' : 'fail',
    statusText: `${v.capacity === null ? 'no capacity' : `capacity ${fmtNumber(v.capacity)} ${v.unit}`} (exit ${v.exitCode})`,
    generatedAt: now.toISOString(),
    subtitle: [`knob ${v.knob}`, `main trend ${v.trend.metric}`],
    notes: [v.verdictText, ...v.notes],
    groups: [charts(v)],
    thresholds: {
      from: 'the capacity gates (--min, --baseline)',
      rows: v.gates.map((g) => ({ source: 'gate', metric: g.name, expression: g.expression, observed: g.observed, ok: g.ok, skipped: false, note: g.note })), // prettier-ignore
    },
    tables: [
      {
        title: 'Steps (in the order run; each folder holds its own summary.md and report.html)',
        headers: [...table.headers, 'folder'],
        rows: table.rows.map((r, i) => [...r, v.steps[i]!.dir]),
        numeric: [0, 1, 3, 4, 5, 6, 7, 8, 9],
        rowClasses: v.steps.map((s) => (s.held ? 'pass' : 'fail')),
      },
    ],
    comparison: null,
    meta: null,
    metrics: [],
  };
}

/** Writes `dir/report.html` (temporary name, then renamed: never half-written). */
export async function writeCapacityReport(dir: string, v: CapacityView): Promise<string> {
  return writePage(join(dir, 'report.html'), capacityPageModel(v));
}
