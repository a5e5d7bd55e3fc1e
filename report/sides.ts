/**
 * One side of a comparison: one run (the current side) or several pooled runs (the baseline).
 * A pooled percentile or avg comes from the runs' merged HDR histograms when every run stored one;
 * a pooled rate from the summed passes and trials; min/max from the extremes; any other pooled stat
 * is the mean of the runs' values. Each run's own value is kept for the run-to-run spread.
 */
import type * as hdr from 'hdr-histogram-js';
import { decodeHistograms, hdrPercentile, histogramBins, mergeHistograms, type DecodedHistograms } from './hdr.ts';
import { ReportError } from './errors.ts';
import { readJson, validateHistograms, validateSummary, type ResolvedSide } from './load.ts';
import { moments, type Bins } from './stats.ts';
import { normalizeSummary, percentileOf, type MetricKind, type NormalizedMetric } from './summary.ts';
import type { ComparisonSide } from './types.ts';

export interface Run {
  info: ComparisonSide;
  metrics: Map<string, NormalizedMetric>;
  hdr: DecodedHistograms | null;
}

export interface Side {
  runs: Run[];
  /** Merged histogram per metric (null: some run has none), freed by closeSide. */
  merged: Map<string, hdr.Histogram | null>;
  bins: Map<string, Bins | null>;
}

export async function openRun(side: ResolvedSide & { input: string }): Promise<Run> {
  const metrics = normalizeSummary(validateSummary(await readJson(side.summaryPath), side.summaryPath));
  const hdrFile = side.histogramsPath
    ? decodeHistograms(
        validateHistograms(await readJson(side.histogramsPath), side.histogramsPath),
        side.histogramsPath,
      )
    : null;
  return {
    info: { input: side.input, summaryPath: side.summaryPath, histogramsPath: side.histogramsPath },
    metrics,
    hdr: hdrFile,
  };
}

export function newSide(runs: Run[]): Side {
  const scales = new Set(runs.flatMap((r) => (r.hdr ? [r.hdr.scale] : [])));
  if (scales.size > 1) {
    throw new ReportError(
      'REPORT_FILE_MALFORMED',
      `baseline runs ${runs.map((r) => r.info.histogramsPath).join(', ')}: histograms.json "scale" differs between runs (${[...scales].join(', ')}); they cannot be pooled`,
    );
  }
  return { runs, merged: new Map(), bins: new Map() };
}

export function closeSide(side: Side): void {
  for (const r of side.runs) r.hdr?.destroy();
  if (side.runs.length > 1) for (const h of side.merged.values()) h?.destroy();
}

export function hasMetric(side: Side, metric: string): boolean {
  return side.runs.some((r) => r.metrics.has(metric));
}

export function metricType(side: Side, metric: string): MetricKind | null {
  for (const r of side.runs) {
    const m = r.metrics.get(metric);
    if (m) return m.type;
  }
  return null;
}

export function scaleOf(side: Side): number {
  return side.runs[0]!.hdr?.scale ?? 1;
}

/** The side's histogram of a metric: the one run's, or every run's merged; null when a run lacks it. */
export function histogram(side: Side, metric: string): hdr.Histogram | null {
  if (side.merged.has(metric)) return side.merged.get(metric)!;
  const parts = side.runs.map((r) => r.hdr?.get(metric) ?? null);
  let h: hdr.Histogram | null = null;
  if (parts.every((p) => p !== null)) h = parts.length === 1 ? parts[0]! : mergeHistograms(parts as hdr.Histogram[]);
  side.merged.set(metric, h);
  return h;
}

export function binsFor(side: Side, metric: string): Bins | null {
  if (side.bins.has(metric)) return side.bins.get(metric)!;
  const h = histogram(side, metric);
  const b = h && h.totalCount > 0 ? histogramBins(h, scaleOf(side)) : null;
  side.bins.set(metric, b);
  return b;
}

function summaryValue(m: NormalizedMetric | undefined, stat: string): number | null {
  if (!m) return null;
  const v = m.stats[stat] ?? (stat === 'med' ? m.stats['p(50)'] : stat === 'p(50)' ? m.stats.med : undefined);
  return v ?? null;
}

/** Each run's own summary value of the stat (null where a run lacks it). */
export function runValues(side: Side, metric: string, stat: string): Array<number | null> {
  return side.runs.map((r) => summaryValue(r.metrics.get(metric), stat));
}

function sumOf(side: Side, metric: string, stat: string): number {
  return side.runs.reduce((a, r) => a + (r.metrics.get(metric)?.stats[stat] ?? 0), 0);
}

/**
 * The side's value of a stat and where it came from; `useHdr` false reads summary.json only (when
 * the other side has no histogram, so both values are computed the same way).
 */
export function sideValue(
  side: Side,
  metric: string,
  stat: string,
  useHdr = true,
): { value: number | null; source: 'hdr' | 'summary' } {
  const h = useHdr ? histogram(side, metric) : null;
  const pct = percentileOf(stat);
  if (h && h.totalCount > 0 && (pct !== null || (stat === 'avg' && side.runs.length > 1))) {
    const mins = runValues(side, metric, 'min').filter((v): v is number => v !== null);
    const maxs = runValues(side, metric, 'max').filter((v): v is number => v !== null);
    const lo = mins.length === side.runs.length ? Math.min(...mins) : undefined;
    const hi = maxs.length === side.runs.length ? Math.max(...maxs) : undefined;
    const v = pct !== null ? hdrPercentile(h, scaleOf(side), stat, lo, hi) : moments(binsFor(side, metric)!).mean;
    if (v !== null) return { value: v, source: 'hdr' };
  }
  const values = runValues(side, metric, stat).filter((v): v is number => v !== null);
  if (values.length === 0) return { value: null, source: 'summary' };
  if (values.length === 1) return { value: values[0]!, source: 'summary' };
  if (stat === 'min') return { value: Math.min(...values), source: 'summary' };
  if (stat === 'max') return { value: Math.max(...values), source: 'summary' };
  if (metricType(side, metric) === 'rate' && stat === 'rate') {
    const trials = sumOf(side, metric, 'passes') + sumOf(side, metric, 'fails');
    if (trials > 0) return { value: sumOf(side, metric, 'passes') / trials, source: 'summary' };
  }
  return { value: values.reduce((a, b) => a + b, 0) / values.length, source: 'summary' };
}

/** Rate trials of a side (passes + fails over its runs), or null when the summary does not say. */
export function rateTrials(side: Side, metric: string): { passes: number; trials: number } | null {
  const ok = side.runs.every((r) => {
    const s = r.metrics.get(metric)?.stats;
    return s !== undefined && typeof s.passes === 'number' && typeof s.fails === 'number';
  });
  if (!ok) return null;
  const passes = sumOf(side, metric, 'passes');
  return { passes, trials: passes + sumOf(side, metric, 'fails') };
}

/** Counter events and the seconds they took (count ÷ rate), summed over the runs; null when unknown. */
export function counterEvents(side: Side, metric: string): { count: number; seconds: number; runs: number } | null {
  let count = 0;
  let seconds = 0;
  for (const r of side.runs) {
    const s = r.metrics.get(metric)?.stats;
    if (!s || typeof s.count !== 'number' || typeof s.rate !== 'number' || !(s.rate > 0)) return null;
    count += s.count;
    seconds += s.count / s.rate;
  }
  return { count, seconds, runs: side.runs.length };
}
