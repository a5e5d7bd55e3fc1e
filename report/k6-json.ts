/**
 * k6's `--out json=FILE` output (NDJSON; gzipped when the name ends in .gz) → timeseries.json v1.
 * Lines are `{"type":"Metric","metric":name,"data":{"type":"trend",...}}` declarations and
 * `{"type":"Point","metric":name,"data":{"time":ISO,"value":n,"tags":{...}}}` samples.
 *
 * Samples go into per-second buckets by their own time. Open buckets keep raw Trend samples; a bucket is
 * closed (samples → stats, memory freed) once a sample 10 s newer has been seen, so memory stays bounded
 * however long the run. A Trend sample arriving for a closed bucket is counted in `lateSamples`, not merged.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { parseMetricKey } from '../engine/metrics/index.ts';
import { trendStats } from './bucket-stats.ts';
import { ReportError } from './errors.ts';
import type { Bucket, BucketTrend, ScenarioBucket, Timeseries } from './types.ts';

const CLOSE_AFTER_SECONDS = 10;

/** k6 built-in types, for a Point seen without its Metric line. */
const BUILTIN_TYPES: Record<string, string> = {
  vus: 'gauge',
  vus_max: 'gauge',
  iterations: 'counter',
  dropped_iterations: 'counter',
  http_reqs: 'counter',
  http_req_failed: 'rate',
  checks: 'rate',
  data_sent: 'counter',
  data_received: 'counter',
};

interface OpenScenario {
  iterations: number;
  http_reqs: number;
  http_req_failed: number;
  durations: number[];
  duration?: BucketTrend;
}

interface OpenBucket {
  sec: number;
  vusTime: number;
  out: Bucket;
  trends: Map<string, number[]>;
  scenarios: Map<string, OpenScenario>;
}

export interface K6JsonTimeseries extends Timeseries {
  /** Trend samples that arrived more than 10 s after their bucket closed (not in any bucket's stats). */
  lateSamples: number;
}

/**
 * Samples per metric and per threshold submetric key (samples.json, docs/results.md): under k6 a
 * never-touched Counter reads `count: 0` in the summary, so the verdict counts the raw points instead.
 */
class SampleCounter {
  readonly counts = new Map<string, number>();
  private readonly selectors: { key: string; parent: string; tags: [string, string][] }[] = [];

  constructor(keys: readonly string[]) {
    for (const key of keys) {
      const { metric, selector } = parseMetricKey(key);
      if (selector) this.selectors.push({ key, parent: metric, tags: Object.entries(selector.tags) });
      this.counts.set(key, 0);
    }
  }

  add(metric: string, tags: Record<string, string>): void {
    this.counts.set(metric, (this.counts.get(metric) ?? 0) + 1);
    for (const s of this.selectors) {
      if (s.parent === metric && s.tags.every(([k, v]) => tags[k] === v))
        this.counts.set(s.key, this.counts.get(s.key)! + 1);
    }
  }
}

class Converter {
  readonly samples: SampleCounter;
  private readonly types = new Map<string, string>();
  private readonly open = new Map<number, OpenBucket>();
  private readonly closed = new Map<number, OpenBucket>();
  private maxSec = -Infinity;
  lateSamples = 0;

  constructor(sampleKeys: readonly string[]) {
    this.samples = new SampleCounter(sampleKeys);
  }

  declare(name: string, type: unknown): void {
    if (typeof type === 'string') this.types.set(name, type);
  }

  add(metric: string, timeMs: number, value: number, tags: Record<string, string>): void {
    this.samples.add(metric, tags);
    const sec = Math.floor(timeMs / 1000);
    const b = this.bucket(sec);
    const type = this.types.get(metric) ?? BUILTIN_TYPES[metric] ?? 'trend';
    const o = b.out;
    const scenario = typeof tags.scenario === 'string' ? this.scenario(b, tags.scenario) : null;
    switch (metric) {
      case 'vus':
        if (timeMs >= b.vusTime) {
          o.vus = value;
          b.vusTime = timeMs;
        }
        return;
      case 'iterations':
        o.iterations = (o.iterations ?? 0) + value;
        if (scenario) scenario.iterations += value;
        return;
      case 'dropped_iterations':
        o.dropped_iterations = (o.dropped_iterations ?? 0) + value;
        return;
      case 'http_reqs':
        o.http_reqs = (o.http_reqs ?? 0) + value;
        if (scenario) scenario.http_reqs += value;
        return;
      case 'http_req_failed':
        if (value !== 0) {
          o.http_req_failed = (o.http_req_failed ?? 0) + 1;
          if (scenario) scenario.http_req_failed += 1;
        }
        return;
      case 'checks':
        if (value !== 0) o.checks_passed = (o.checks_passed ?? 0) + 1;
        else o.checks_failed = (o.checks_failed ?? 0) + 1;
        return;
    }
    if (type !== 'trend') return;
    if (this.closed.has(sec)) {
      this.lateSamples++;
      return;
    }
    let list = b.trends.get(metric);
    if (!list) b.trends.set(metric, (list = []));
    list.push(value);
    if (scenario && metric === 'http_req_duration') scenario.durations.push(value);
    this.advance(sec);
  }

  private bucket(sec: number): OpenBucket {
    let b = this.open.get(sec) ?? this.closed.get(sec);
    if (!b) {
      b = { sec, vusTime: -Infinity, out: { t: 0 }, trends: new Map(), scenarios: new Map() };
      this.open.set(sec, b);
    }
    return b;
  }

  private scenario(b: OpenBucket, name: string): OpenScenario {
    let s = b.scenarios.get(name);
    if (!s) b.scenarios.set(name, (s = { iterations: 0, http_reqs: 0, http_req_failed: 0, durations: [] }));
    return s;
  }

  private advance(sec: number): void {
    if (sec <= this.maxSec) return;
    this.maxSec = sec;
    for (const [s, b] of this.open) if (s < sec - CLOSE_AFTER_SECONDS) this.close(b);
  }

  /** Trend samples → stats, arrays freed. Counters stay live: a late counter sample still adds up. */
  private close(b: OpenBucket): void {
    this.open.delete(b.sec);
    this.closed.set(b.sec, b);
    if (b.trends.size) {
      b.out.trends = {};
      for (const [name, values] of b.trends) b.out.trends[name] = trendStats(values);
    }
    b.trends.clear();
    for (const s of b.scenarios.values()) {
      if (s.durations.length) s.duration = trendStats(s.durations);
      s.durations = [];
    }
  }

  private static output(b: OpenBucket, start: number): Bucket {
    const out: Bucket = { ...b.out, t: b.sec - start };
    if (b.scenarios.size) {
      out.scenarios = {};
      for (const [name, s] of b.scenarios) {
        const sc: ScenarioBucket = {
          iterations: s.iterations,
          http_reqs: s.http_reqs,
          http_req_failed: s.http_req_failed,
        };
        if (s.duration) sc.http_req_duration = s.duration;
        out.scenarios[name] = sc;
      }
    }
    return out;
  }

  finish(): K6JsonTimeseries {
    for (const b of [...this.open.values()]) this.close(b);
    const all = [...this.closed.values()].sort((a, b) => a.sec - b.sec);
    const start = all.length ? all[0]!.sec : Math.floor(Date.now() / 1000);
    const buckets = all.map((b) => Converter.output(b, start));
    return {
      version: 1,
      bucketSeconds: 1,
      startTime: new Date(start * 1000).toISOString(),
      buckets,
      lateSamples: this.lateSamples,
    };
  }
}

function bad(file: string, line: number, what: string): ReportError {
  return new ReportError('REPORT_FILE_MALFORMED', `${file}:${line}: ${what}`);
}

function handleLine(conv: Converter, text: string, file: string, n: number): void {
  let row: { type?: unknown; metric?: unknown; data?: Record<string, unknown> };
  try {
    row = JSON.parse(text) as typeof row;
  } catch {
    throw bad(file, n, 'not a JSON object (expected k6 --out json lines)');
  }
  if (typeof row.metric !== 'string') throw bad(file, n, 'field "metric" must be a metric name');
  if (typeof row.data !== 'object' || row.data === null) throw bad(file, n, 'field "data" must be an object');
  if (row.type === 'Metric') return conv.declare(row.metric, row.data.type);
  if (row.type !== 'Point')
    throw bad(file, n, `field "type" must be "Metric" or "Point", got ${JSON.stringify(row.type)}`);
  const time = typeof row.data.time === 'string' ? Date.parse(row.data.time) : Number.NaN;
  if (Number.isNaN(time)) throw bad(file, n, 'field "data.time" must be an RFC 3339 time');
  const value = row.data.value;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(file, n, 'field "data.value" must be a number');
  const tags =
    typeof row.data.tags === 'object' && row.data.tags !== null ? (row.data.tags as Record<string, string>) : {};
  conv.add(row.metric, time, value, tags);
}

export async function k6JsonToTimeseries(pointsNdjsonPath: string): Promise<K6JsonTimeseries> {
  return (await convertK6Json(pointsNdjsonPath)).timeseries;
}

/** samples.json (version 1): samples per metric seen, and per key asked for (0 when none). */
export interface SampleCounts {
  version: 1;
  source: 'engine' | 'k6-points';
  counts: Record<string, number>;
}

/** One pass over k6's points: the time series and the sample counts of every metric and of `sampleKeys` (threshold keys). */
export async function convertK6Json(
  pointsNdjsonPath: string,
  sampleKeys: readonly string[] = [],
): Promise<{ timeseries: K6JsonTimeseries; samples: SampleCounts }> {
  const stream = createReadStream(pointsNdjsonPath);
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err) =>
      reject(
        new ReportError(
          'REPORT_FILE_MISSING',
          `${pointsNdjsonPath} cannot be read (${(err as NodeJS.ErrnoException).code})`,
          { cause: err },
        ),
      ),
    );
  });
  await opened;
  const input = pointsNdjsonPath.endsWith('.gz') ? stream.pipe(createGunzip()) : stream;
  const lines = createInterface({ input, crlfDelay: Infinity });
  const conv = new Converter(sampleKeys);
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      if (line.trim() !== '') handleLine(conv, line, pointsNdjsonPath, n);
    }
  } catch (err) {
    if (err instanceof ReportError) throw err;
    throw new ReportError(
      'REPORT_FILE_MALFORMED',
      `${pointsNdjsonPath}: cannot be read after line ${n} (${(err as Error).message})`,
      { cause: err },
    );
  } finally {
    lines.close();
    stream.destroy();
  }
  return {
    timeseries: conv.finish(),
    samples: { version: 1, source: 'k6-points', counts: Object.fromEntries(conv.samples.counts) },
  };
}
