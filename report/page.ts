/** Builds the report page model from a loaded results folder. */
import { basename, resolve } from 'node:path';
import { buildCharts, type ChartGroup } from './charts.ts';
import { llmCharts } from './llm-charts.ts';
import type { PageModel } from './html.ts';
import type { LoadedResults } from './load.ts';
import { metaRows, metricRows, thresholdRows } from './tables.ts';

function statusOf(
  r: LoadedResults,
  thresholdsOk: boolean,
  hasThresholds: boolean,
): Pick<PageModel, 'status' | 'statusText'> {
  if (r.verdict) {
    const code = typeof r.verdict.exitCode === 'number' ? ` (exit ${r.verdict.exitCode})` : '';
    return r.verdict.ok ? { status: 'pass', statusText: `PASS${code}` } : { status: 'fail', statusText: `FAIL${code}` };
  }
  if (!hasThresholds) return { status: 'unknown', statusText: 'no thresholds' };
  return thresholdsOk
    ? { status: 'pass', statusText: 'thresholds pass' }
    : { status: 'fail', statusText: 'thresholds fail' };
}

const text = (v: unknown): string | null => (typeof v === 'string' || typeof v === 'number' ? String(v) : null);

function subtitleOf(meta: LoadedResults['meta']): string[] {
  if (!meta) return [];
  const rows = new Map(metaRows(meta));
  const first = (...keys: string[]) => keys.map((k) => rows.get(k) ?? null).find((v) => v !== null) ?? null;
  const facts: Array<[string, string | null]> = [
    ['engine', first('engine.kind', 'engine.name', 'engine')],
    ['infra', first('infra.provider', 'infraProvider', 'provider', 'infra')],
    [
      'commit',
      first('git.commit', 'gitCommit', 'commit', 'git')?.replace(/^([0-9a-f]{12})[0-9a-f]{28}$/, '$1') ?? null,
    ],
    ['seed', text(meta.seed)],
  ];
  return facts.filter(([, v]) => v !== null).map(([k, v]) => `${k} ${v}`);
}

function chartGroups(r: LoadedResults): ChartGroup[] {
  const groups = r.timeseries && r.timeseries.buckets.length ? buildCharts(r.timeseries) : [];
  const llm = llmCharts(r.histograms, r.requests);
  return llm ? [llm, ...groups] : groups;
}

export function buildPageModel(r: LoadedResults, now: Date = new Date()): PageModel {
  const thresholds = thresholdRows(r.summary, r.verdict);
  const scenario = typeof r.meta?.scenario === 'string' ? r.meta.scenario : basename(resolve(r.dir));
  const notes = [...r.notes];
  if (r.timeseries && r.timeseries.buckets.length === 0) notes.push('timeseries.json has no buckets: no charts.');
  return {
    title: `k6-llm-perf report: ${scenario}`,
    ...statusOf(
      r,
      thresholds.rows.every((t) => t.ok),
      thresholds.rows.length > 0,
    ),
    generatedAt: now.toISOString(),
    subtitle: subtitleOf(r.meta),
    notes,
    groups: chartGroups(r),
    thresholds,
    comparison: r.comparison,
    meta: r.meta ? metaRows(r.meta) : null,
    metrics: metricRows(r.summary),
  };
}
