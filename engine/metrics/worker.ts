/**
 * WorkerMetrics: the per-thread sample sink (one per worker thread).
 *
 * `add` is the hot path: one Map lookup, the sink's fold, a strict-equality scan of the
 * submetric selectors of that metric (usually zero or one, each one or two tags), and the
 * time-series bucket fold for the metrics that have a time-series role. No formatting, no
 * per-sample objects. A trend metric is recorded in its time-series bucket, and its value appended
 * to a typed array (exact-values.ts): its sink's delta is those buckets' total and those values at
 * flush. `flush()` returns the deltas since the last flush and resets.
 */
import type {
  MetricDefinition,
  MetricsSnapshot,
  MetricType,
  SampleSink,
  SubmetricSelector,
  Tags,
  ValueType,
} from './api.ts';
import { BUILTIN_DEFINITIONS, EXPECTED_RESPONSE_SUBMETRIC } from './builtin.ts';
import { MetricError } from './errors.ts';
import { CheckRecorder } from './groups.ts';
import { SNAPSHOT_KIND, type SnapshotBody } from './snapshot.ts';
import { ExactValues } from './exact-values.ts';
import { newSink, type Sink, type SinkData, type TrendData } from './sinks.ts';
import {
  BucketRecorder,
  ROLE_CHECKS,
  ROLE_NONE,
  ROLE_TREND,
  roleOf,
  type Role,
  type TrendAccData,
} from './timeseries.ts';

const METRIC_TYPES: readonly MetricType[] = ['counter', 'gauge', 'rate', 'trend'];
const VALUE_TYPES: readonly ValueType[] = ['default', 'time', 'data'];
/** k6 `metrics/registry.go`. */
const NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]{1,128}$/;

interface SubEntry {
  selector: SubmetricSelector;
  keys: string[];
  values: string[];
  sink: Sink;
}
/**
 * `sink`: null for a trend metric, whose deltas are its time-series buckets' totals (flush) and the
 * values in `exact` (null for the other metrics); `exactLost`: more than EXACT_CAP values came
 * since the last flush, so this delta goes without them.
 */
interface Entry {
  def: MetricDefinition;
  sink: Sink | null;
  role: Role;
  trend: number;
  subs: SubEntry[];
  exact: ExactValues | null;
  exactLost: boolean;
}

export interface WorkerMetricsOptions {
  /** Submetric selectors from the thresholds (Aggregator.parseThresholds(...).selectors). */
  submetrics: SubmetricSelector[];
  /** Test start (ms since epoch): time-series buckets count seconds from it. Default: epoch-aligned seconds. */
  startTime?: number;
}

export function checkDefinition(name: string, type: MetricType, contains: ValueType): void {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new MetricError(
      'E_METRIC_INVALID',
      `Invalid metric name: ${JSON.stringify(name)}. Metric names must only include up to 128 ASCII letters, numbers, or underscores and start with a letter or an underscore.`,
    );
  }
  if (!METRIC_TYPES.includes(type)) {
    throw new MetricError(
      'E_METRIC_INVALID',
      `metric ${name}: invalid type ${JSON.stringify(type)} (expected ${METRIC_TYPES.join(', ')})`,
    );
  }
  if (!VALUE_TYPES.includes(contains)) {
    throw new MetricError(
      'E_METRIC_INVALID',
      `metric ${name}: invalid contains ${JSON.stringify(contains)} (expected ${VALUE_TYPES.join(', ')})`,
    );
  }
}

export class WorkerMetrics implements SampleSink {
  private readonly metrics = new Map<string, Entry>();
  private readonly pendingSubs = new Map<string, SubmetricSelector[]>();
  private readonly recorder: BucketRecorder;
  private readonly checks = new CheckRecorder();
  /** addSamples' name lists, resolved to their entries. */
  private readonly resolved = new WeakMap<readonly string[], Entry[]>();

  constructor(opts: WorkerMetricsOptions) {
    this.recorder = new BucketRecorder(opts.startTime ?? 0);
    const selectors = [...opts.submetrics];
    if (!selectors.some((s) => s.key === EXPECTED_RESPONSE_SUBMETRIC.key)) selectors.push(EXPECTED_RESPONSE_SUBMETRIC);
    for (const s of selectors) {
      const list = this.pendingSubs.get(s.parent) ?? [];
      if (!list.some((x) => x.key === s.key)) list.push(s);
      this.pendingSubs.set(s.parent, list);
    }
    for (const d of BUILTIN_DEFINITIONS) this.define(d.name, d.type, d.contains);
  }

  /** As k6: redefining with the same type is fine; `contains` is only compared when given. */
  define(name: string, type: MetricType, containsArg?: ValueType): void {
    const contains = containsArg ?? 'default';
    const known = this.metrics.get(name);
    if (known) {
      if (known.def.type !== type || (containsArg !== undefined && known.def.contains !== contains)) {
        throw new MetricError(
          'E_METRIC_REDEFINED',
          `metric ${name} already exists as a ${known.def.type} (contains ${known.def.contains}); cannot redefine it as a ${type} (contains ${contains})`,
        );
      }
      return;
    }
    checkDefinition(name, type, contains);
    const subs: SubEntry[] = (this.pendingSubs.get(name) ?? []).map((selector) => ({
      selector,
      keys: Object.keys(selector.tags),
      values: Object.values(selector.tags),
      sink: newSink(type),
    }));
    const role = roleOf(name, type);
    const trend = role === ROLE_TREND ? this.recorder.trendId(name) : -1;
    this.metrics.set(name, {
      def: { name, type, contains },
      sink: role === ROLE_TREND ? null : newSink(type),
      role,
      trend,
      subs,
      exact: role === ROLE_TREND ? new ExactValues() : null,
      exactLost: false,
    });
  }

  add(name: string, value: number, tags: Tags, time?: number): void {
    const m = this.metrics.get(name);
    if (m === undefined) throw new MetricError('E_METRIC_UNKNOWN', `metric ${JSON.stringify(name)} is not defined`);
    this.addTo(m, value, tags, time ?? Date.now());
  }

  /**
   * The same as `add` for each (name, value) pair, with one tag set and time: the names are looked
   * up once per `names` array (keep it a constant), e.g. the samples of one HTTP response.
   */
  addSamples(names: readonly string[], values: ArrayLike<number>, tags: Tags, time: number): void {
    let entries = this.resolved.get(names);
    if (entries === undefined) {
      entries = names.map((n) => {
        const m = this.metrics.get(n);
        if (m === undefined) throw new MetricError('E_METRIC_UNKNOWN', `metric ${JSON.stringify(n)} is not defined`);
        return m;
      });
      this.resolved.set(names, entries);
    }
    for (let i = 0; i < entries.length; i++) this.addTo(entries[i]!, values[i]!, tags, time);
  }

  private addTo(m: Entry, value: number, tags: Tags, t: number): void {
    if (value !== value) throw new MetricError('E_METRIC_INVALID', `metric ${m.def.name}: cannot add NaN`); // NaN would poison the sums
    m.sink?.add(value, t);
    if (m.exact !== null && !m.exactLost && !m.exact.push(value)) m.exactLost = true;
    const subs = m.subs;
    for (let i = 0; i < subs.length; i++) {
      const s = subs[i]!;
      let match = true;
      for (let k = 0; k < s.keys.length; k++) {
        if (tags[s.keys[k]!] !== s.values[k]) {
          match = false;
          break;
        }
      }
      if (match) s.sink.add(value, t);
    }
    if (m.role !== ROLE_NONE) {
      this.recorder.record(m.role, m.trend, value, t, tags.scenario);
      if (m.role === ROLE_CHECKS) this.checks.check(tags.group ?? '', tags.check ?? '', value !== 0);
      else if (m.def.name === 'group_duration') this.checks.group(tags.group ?? '');
    }
  }

  flush(): MetricsSnapshot & SnapshotBody {
    const metrics: Record<string, SinkData> = {};
    const submetrics: SnapshotBody['submetrics'] = {};
    const definitions: MetricDefinition[] = [];
    const taken = this.recorder.take();
    for (const [name, m] of this.metrics) {
      definitions.push({ ...m.def });
      const d = m.sink === null ? trendData(taken.trends[m.trend], m) : m.sink.take();
      if (d) metrics[name] = d;
      for (const s of m.subs) {
        const sd = s.sink.take();
        if (sd) submetrics[s.selector.key] = { parent: name, tags: { ...s.selector.tags }, data: sd };
      }
    }
    const { checks, groups } = this.checks.take();
    return {
      kind: SNAPSHOT_KIND,
      version: 1,
      definitions,
      metrics,
      submetrics,
      checks,
      groups,
      buckets: taken.buckets,
    };
  }
}

function trendData(t: TrendAccData | undefined, m: Entry): TrendData | null {
  if (t === undefined) return null;
  const d: TrendData = { type: 'trend', count: t.count, sum: t.sum, min: t.min, max: t.max, hdr: t.hdr };
  if (m.exactLost) m.exact!.clear();
  else d.values = m.exact!.take();
  m.exactLost = false;
  return d;
}
