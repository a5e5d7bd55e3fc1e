/**
 * Aggregator: lives in the parent, merges every worker's snapshots, evaluates thresholds,
 * and produces the summary data, the export shape, the text summary, the time series and the
 * encoded histograms.
 */
import type { MetricDefinition, MetricsSnapshot, MetricType, SubmetricSelector, ThresholdEvaluation } from './api.ts';
import { BUILTIN_DEFINITIONS, EXPECTED_RESPONSE_SUBMETRIC } from './builtin.ts';
import { MetricError, ThresholdConfigError } from './errors.ts';
import { GroupTree } from './groups.ts';
import { ENCODING_NAME, SCALE, encodeHistogram } from './hdr.ts';
import { isSnapshotBody, SNAPSHOT_KIND, type SnapshotBody } from './snapshot.ts';
import { RUN_VALUES_BUDGET, ValueBudget } from './exact-values.ts';
import { TrendSink, newSink, type Sink } from './sinks.ts';
import { ThresholdSet } from './thresholds.ts';
import { parseThresholdConfig, validateThresholds, type MetricThresholds } from './thresholds-parser.ts';
import { TimeSeriesStore } from './timeseries-store.ts';
import { buildSummaryData, type SummaryContext } from '../summary/data.ts';
import { exportSummary } from '../summary/export.ts';
import { textSummary, type TextSummaryOptions } from '../summary/text.ts';
import { DEFAULT_TREND_STATS, validateSummaryTrendStats, type K6SummaryData } from '../summary/types.ts';
import { ExitCode, KitError } from '../exit-codes.ts';

export interface AggregatorOptions {
  /** options.thresholds as the user wrote it. */
  thresholds: unknown;
  summaryTrendStats?: string[];
  /** Test start (ms since epoch), for timeseries.json's startTime and bucket `t`. */
  startTime?: number;
}

interface SubState {
  selector: SubmetricSelector;
  sink: Sink | null;
}

export class Aggregator {
  private readonly defs = new Map<string, MetricDefinition>();
  private readonly sinks = new Map<string, Sink>();
  private readonly subs = new Map<string, SubState>();
  /** Metric and submetric keys that appear in the summary: had samples, or carry thresholds (k6's "observed"). */
  private readonly observed = new Set<string>();
  private readonly thresholdMetrics: MetricThresholds[];
  private readonly thresholds: ThresholdSet;
  private readonly groups = new GroupTree();
  private readonly series: TimeSeriesStore;
  /** What the Trend sinks' kept values count against, all together (exact-values.ts). */
  private readonly valueBudget = new ValueBudget(RUN_VALUES_BUDGET);
  readonly summaryTrendStats: string[];

  /** Parses options.thresholds: the submetric selectors workers need, and every syntax error. */
  static parseThresholds(raw: unknown): { selectors: SubmetricSelector[]; errors: string[] } {
    const { metrics, errors } = parseThresholdConfig(raw);
    const selectors = metrics.flatMap((m) => (m.selector ? [m.selector] : []));
    return { selectors, errors };
  }

  /** Throws ThresholdConfigError (exit 104) on a syntax error in options.thresholds, a KitError (104) on bad summaryTrendStats. */
  constructor(opts: AggregatorOptions) {
    const { metrics, errors } = parseThresholdConfig(opts.thresholds);
    if (errors.length > 0) throw new ThresholdConfigError(errors);
    this.thresholdMetrics = metrics;
    this.thresholds = new ThresholdSet(metrics);
    const statErrors = opts.summaryTrendStats === undefined ? [] : validateSummaryTrendStats(opts.summaryTrendStats);
    if (statErrors.length > 0)
      throw new KitError('E_SUMMARY_TREND_STATS', statErrors.join('\n'), ExitCode.INVALID_CONFIG);
    this.summaryTrendStats = opts.summaryTrendStats ? [...opts.summaryTrendStats] : [...DEFAULT_TREND_STATS];
    this.series = new TimeSeriesStore(opts.startTime);
    this.addSubmetric(EXPECTED_RESPONSE_SUBMETRIC);
    for (const m of metrics) {
      if (m.selector) this.addSubmetric(m.selector);
      this.observed.add(m.key);
      this.observed.add(m.metric);
    }
    for (const d of BUILTIN_DEFINITIONS) this.define(d);
  }

  private addSubmetric(selector: SubmetricSelector): void {
    if (this.subs.has(selector.key)) return;
    const def = this.defs.get(selector.parent);
    this.subs.set(selector.key, { selector, sink: def ? newSink(def.type, this.valueBudget) : null });
  }

  private define(d: MetricDefinition): void {
    const known = this.defs.get(d.name);
    if (known) {
      if (known.type !== d.type || known.contains !== d.contains) {
        throw new MetricError(
          'E_METRIC_REDEFINED',
          `metric ${d.name} is defined as a ${known.type} (contains ${known.contains}) and as a ${d.type} (contains ${d.contains})`,
        );
      }
      return;
    }
    this.defs.set(d.name, { name: d.name, type: d.type, contains: d.contains });
    this.sinks.set(d.name, newSink(d.type, this.valueBudget));
    for (const s of this.subs.values())
      if (s.selector.parent === d.name && s.sink === null) s.sink = newSink(d.type, this.valueBudget);
  }

  /** Learns the script's custom metrics and returns every threshold problem (unknown metric, bad aggregation). */
  validateAgainstDefinitions(defs: MetricDefinition[]): string[] {
    const errors: string[] = [];
    for (const d of defs) {
      try {
        this.define(d);
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    const typeOf = (name: string): MetricType | undefined => this.defs.get(name)?.type;
    return [...errors, ...validateThresholds(this.thresholdMetrics, typeOf)];
  }

  definitions(): MetricDefinition[] {
    return [...this.defs.values()].map((d) => ({ ...d }));
  }

  merge(s: MetricsSnapshot): void {
    if (!isSnapshotBody(s)) throw new Error(`Aggregator.merge: not a metrics snapshot (kind ${String(s.kind)})`);
    const body: SnapshotBody = s;
    for (const d of body.definitions) this.define(d);
    for (const [name, data] of Object.entries(body.metrics)) {
      const sink = this.sinks.get(name);
      if (!sink) continue;
      sink.merge(data);
      this.observed.add(name);
    }
    for (const [key, sub] of Object.entries(body.submetrics)) {
      this.addSubmetric({ key, parent: sub.parent, tags: sub.tags });
      const st = this.subs.get(key)!;
      if (st.sink === null) continue;
      st.sink.merge(sub.data);
      this.observed.add(key);
    }
    for (const g of body.groups) this.groups.ensureGroup(g);
    for (const c of body.checks) this.groups.addCheck(c);
    this.series.merge(body.buckets);
  }

  /**
   * Everything merged so far as one snapshot (the format workers send), so that another process can
   * merge it exactly: N engine processes running segments of a test combine into one summary.
   * The per-second buckets are left out (they are finalized here, not mergeable).
   */
  snapshot(): MetricsSnapshot & SnapshotBody {
    const copy = (sink: Sink) => {
      const d = sink.take();
      if (d) sink.merge(d);
      // A part file is JSON: a typed array would not survive it.
      if (d?.type === 'trend' && d.values !== undefined) d.values = Array.from(d.values);
      return d;
    };
    const metrics: SnapshotBody['metrics'] = {};
    for (const [name, sink] of this.sinks) {
      const d = copy(sink);
      if (d) metrics[name] = d;
    }
    const submetrics: SnapshotBody['submetrics'] = {};
    for (const [key, { selector, sink }] of this.subs) {
      const d = sink && copy(sink);
      if (d) submetrics[key] = { parent: selector.parent, tags: selector.tags, data: d };
    }
    const groups: string[] = [];
    const checks: SnapshotBody['checks'] = [];
    const walk = (g: ReturnType<GroupTree['snapshot']>): void => {
      if (g.path !== '') groups.push(g.path);
      for (const c of g.checks) checks.push({ group: g.path, name: c.name, passes: c.passes, fails: c.fails });
      g.groups.forEach(walk);
    };
    walk(this.groups.snapshot());
    return {
      kind: SNAPSHOT_KIND,
      version: 1,
      definitions: this.definitions(),
      metrics,
      submetrics,
      checks,
      groups,
      buckets: [],
    };
  }

  /** The sink of a metric or submetric key. */
  sinkOf(key: string): Sink | undefined {
    return this.sinks.get(key) ?? this.subs.get(key)?.sink ?? undefined;
  }

  /**
   * Evaluates every threshold at `elapsedMs` into the run. Call it every 2 s, and once at the end
   * with `{ final: true }` (k6 skips metrics without samples during the run, not at the end).
   */
  evaluateThresholds(elapsedMs: number, opts: { final?: boolean } = {}): ThresholdEvaluation {
    return this.thresholds.evaluate(elapsedMs, (k) => this.sinkOf(k), opts.final === true);
  }

  /** handleSummary's data. Runs the final threshold evaluation at state.testRunDurationMs. */
  summaryData(ctx: SummaryContext): K6SummaryData {
    this.thresholds.evaluate(ctx.state.testRunDurationMs, (k) => this.sinkOf(k), true);
    const metrics = [...this.observed].flatMap((key) => {
      const sink = this.sinkOf(key);
      const def = this.defs.get(this.subs.get(key)?.selector.parent ?? key);
      return sink && def ? [{ key, sink, def }] : [];
    });
    return buildSummaryData({
      ctx,
      trendStats: this.summaryTrendStats,
      metrics,
      thresholds: this.thresholds.byMetric(),
      rootGroup: this.groups.snapshot(),
    });
  }

  exportSummary(data: K6SummaryData): object {
    return exportSummary(data);
  }

  textSummary(data: K6SummaryData, opts: TextSummaryOptions): string {
    return textSummary(data, opts);
  }

  timeseries(): object {
    return this.series.toJSON();
  }

  /**
   * samples.json (version 1): how many samples every metric and threshold submetric got. Under k6 a
   * never-touched Counter reads `count: 0` in the summary; this tells "no samples" from zero.
   */
  sampleCounts(): object {
    const counts: Record<string, number> = {};
    for (const [name, sink] of this.sinks) counts[name] = sink.samples();
    for (const [key, s] of this.subs) counts[key] = s.sink?.samples() ?? 0;
    return { version: 1, source: 'engine', counts };
  }

  /** histograms.json (version 1): every Trend metric with samples and every Trend submetric, encoded. */
  histograms(): object {
    const histograms: Record<string, string> = {};
    const add = (key: string, sink: Sink | null | undefined): void => {
      if (sink instanceof TrendSink && (sink.count > 0 || this.observed.has(key)))
        histograms[key] = encodeHistogram(sink.hist);
    };
    for (const [name, sink] of this.sinks) add(name, sink);
    for (const [key, s] of this.subs) add(key, s.sink);
    return { version: 1, encoding: ENCODING_NAME, scale: SCALE, histograms };
  }
}
