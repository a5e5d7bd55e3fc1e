/**
 * Options consolidation with k6's precedence: defaults < config file (-c) < script `options`
 * < K6_* environment variables < CLI flags. Then the execution shortcuts (vus, duration,
 * iterations, stages) become the "default" scenario, as k6 does, unless `scenarios` is set at a
 * higher level than every shortcut.
 */
import { tlsOptions, type TlsOptions } from '../http/tls.ts';
import { dnsOptions } from '../http/dns.ts';
import type { TransportOptions } from '../http/transport.ts';
import { DEFAULT_BATCH_LIMITS, type BatchLimits } from '../http/batch-limit.ts';
import { parseDuration } from './duration.ts';
import type { BaseConfig } from '../executors/base-config.ts';
import { parseScenarios } from '../executors/index.ts';

export type OptionLayer = Record<string, unknown>;

export interface EngineOptions {
  /** The merged options object (test.options, handleSummary's data.options). */
  readonly raw: Record<string, unknown>;
  readonly scenarios: BaseConfig[];
  readonly thresholds: Record<string, unknown>;
  readonly summaryTrendStats: string[] | undefined;
  readonly tags: Record<string, string>;
  readonly maxRedirects: number;
  readonly discardResponseBodies: boolean;
  readonly userAgent: string;
  readonly setupTimeout: number;
  readonly teardownTimeout: number;
  readonly minIterationDuration: number;
  readonly insecureSkipTLSVerify: boolean;
  /** insecureSkipTLSVerify, tlsVersion and tlsCipherSuites, as the HTTP transport takes them. */
  readonly tls: TlsOptions;
  /** What the HTTP transport takes: `tls`, the `dns` option, `noConnectionReuse`, `noVUConnectionReuse`, `batch`/`batchPerHost`. */
  readonly transport: TransportOptions;
  readonly throw: boolean;
  /** k6's `batch` and `batchPerHost`: one http.batch()'s requests in flight at once, in all and to one host (0: no limit). */
  readonly batchLimits: BatchLimits;
  /** k6's `noVUConnectionReuse`: a VU's connections are closed at the end of each of its iterations. */
  readonly noVUConnectionReuse: boolean;
  /** Keep each VU's cookies from one iteration to the next (k6 empties the jar by default). */
  readonly noCookiesReset: boolean;
  /** k6's `--secret-source` flags as given (engine/secrets/sources.ts reads them); a flag, not a script option. */
  readonly secretSources?: readonly string[];
}

const SHORTCUTS = ['duration', 'iterations', 'stages'] as const;
export const DEFAULT_USER_AGENT = 'k6-llm-perf/0.1 (https://k6.io/)';

/** Reads the K6_* environment variables k6 reads for these options. */
export function envLayer(env: Readonly<Record<string, string | undefined>>): {
  layer: OptionLayer;
  problems: string[];
} {
  const layer: OptionLayer = {};
  const problems: string[] = [];
  if (env.K6_VUS) {
    const n = Number(env.K6_VUS);
    if (!Number.isInteger(n)) problems.push(`K6_VUS: expected an integer, got ${JSON.stringify(env.K6_VUS)}`);
    else layer.vus = n;
  }
  if (env.K6_ITERATIONS) {
    const n = Number(env.K6_ITERATIONS);
    if (!Number.isInteger(n))
      problems.push(`K6_ITERATIONS: expected an integer, got ${JSON.stringify(env.K6_ITERATIONS)}`);
    else layer.iterations = n;
  }
  if (env.K6_DURATION) layer.duration = env.K6_DURATION;
  if (env.K6_STAGES) {
    const stages = parseStages(env.K6_STAGES.split(','), 'K6_STAGES');
    if ('error' in stages) problems.push(stages.error);
    else layer.stages = stages.stages;
  }
  if (env.K6_SUMMARY_TREND_STATS) layer.summaryTrendStats = env.K6_SUMMARY_TREND_STATS.split(',').map((s) => s.trim());
  return { layer, problems };
}

/** Parses `--stage 30s:10` values. */
export function parseStages(
  values: string[],
  where = '--stage',
): { stages: Array<{ duration: string; target: number }> } | { error: string } {
  const stages: Array<{ duration: string; target: number }> = [];
  for (const v of values) {
    const m = /^([^:]+):(\d+)$/.exec(v.trim());
    if (!m || typeof parseDuration(m[1]) !== 'number') {
      return { error: `${where}: expected "duration:target" like "30s:10", got ${JSON.stringify(v)}` };
    }
    stages.push({ duration: m[1]!, target: Number(m[2]) });
  }
  return { stages };
}

/** Merges the layers (lowest first) and derives the scenarios. */
export function consolidate(layers: OptionLayer[]): { options: EngineOptions; problems: string[] } {
  const problems: string[] = [];
  const raw: Record<string, unknown> = {};
  let scenariosLevel = -1;
  let shortcutLevel = -1;
  layers.forEach((layer, level) => {
    const shortcuts = SHORTCUTS.filter((k) => layer[k] !== undefined && layer[k] !== null);
    if (layer.scenarios !== undefined && shortcuts.length > 0) {
      problems.push(
        `options: "scenarios" and the shortcut${shortcuts.length > 1 ? 's' : ''} ${shortcuts.map((s) => `"${s}"`).join(', ')} can't be set together at the same level`,
      );
    }
    if (layer.scenarios !== undefined) scenariosLevel = level;
    if (shortcuts.length > 0) shortcutLevel = level;
    for (const [k, v] of Object.entries(layer)) if (v !== undefined) raw[k] = v;
  });
  let scenariosRaw: unknown;
  if (scenariosLevel > shortcutLevel) {
    scenariosRaw = raw.scenarios;
  } else {
    const derived = shortcutScenario(layers, shortcutLevel, problems);
    scenariosRaw = { default: derived };
    raw.scenarios = scenariosRaw;
  }
  const parsed = parseScenarios(scenariosRaw);
  problems.push(...parsed.problems);
  return { options: finish(raw, parsed.configs, problems), problems };
}

function shortcutScenario(layers: OptionLayer[], level: number, problems: string[]): Record<string, unknown> {
  // Only shortcuts of the highest level that sets any count (k6 replaces them as a group).
  const top = level >= 0 ? layers[level]! : {};
  const vus = [...layers].reverse().find((l) => l.vus !== undefined)?.vus ?? 1;
  const { duration, iterations, stages } = top;
  if (stages !== undefined && (duration !== undefined || iterations !== undefined)) {
    problems.push(
      `options: using multiple execution config shortcuts (${duration !== undefined ? '"duration"' : '"iterations"'} and "stages") simultaneously is not allowed`,
    );
  }
  if (stages !== undefined) return { executor: 'ramping-vus', startVUs: vus, stages, gracefulStop: '30s' };
  if (iterations !== undefined) {
    return {
      executor: 'shared-iterations',
      vus,
      iterations,
      ...(duration !== undefined ? { maxDuration: duration } : {}),
    };
  }
  if (duration !== undefined) return { executor: 'constant-vus', vus, duration };
  return { executor: 'shared-iterations', vus, iterations: 1 };
}

function finish(raw: Record<string, unknown>, scenarios: BaseConfig[], problems: string[]): EngineOptions {
  const dur = (key: string, fallback: number): number => {
    if (raw[key] === undefined) return fallback;
    const ms = parseDuration(raw[key]);
    if (typeof ms === 'object') {
      problems.push(`options.${key}: ${ms.error}`);
      return fallback;
    }
    return ms;
  };
  const tags = raw.tags ?? {};
  if (typeof tags !== 'object' || tags === null || Object.values(tags).some((v) => typeof v !== 'string')) {
    problems.push(`options.tags: expected an object of strings, got ${JSON.stringify(tags)}`);
  }
  const thresholds = raw.thresholds ?? {};
  if (typeof thresholds !== 'object' || thresholds === null || Array.isArray(thresholds)) {
    problems.push(
      `options.thresholds: expected an object of metric -> threshold list, got ${JSON.stringify(thresholds)}`,
    );
  }
  const trend = raw.summaryTrendStats;
  if (trend !== undefined && (!Array.isArray(trend) || trend.some((s) => typeof s !== 'string'))) {
    problems.push(
      `options.summaryTrendStats: expected an array of strings like ["avg","p(95)"], got ${JSON.stringify(trend)}`,
    );
  }
  const maxRedirects = raw.maxRedirects ?? 10;
  if (typeof maxRedirects !== 'number' || !Number.isInteger(maxRedirects) || maxRedirects < 0) {
    problems.push(`options.maxRedirects: expected an integer >= 0, got ${JSON.stringify(maxRedirects)}`);
  }
  const noCookiesReset = raw.noCookiesReset ?? false;
  if (typeof noCookiesReset !== 'boolean')
    problems.push(`options.noCookiesReset: expected true or false, got ${JSON.stringify(noCookiesReset)}`);
  const noConnectionReuse = raw.noConnectionReuse ?? false;
  if (typeof noConnectionReuse !== 'boolean')
    problems.push(`options.noConnectionReuse: expected true or false, got ${JSON.stringify(noConnectionReuse)}`);
  const noVUConnectionReuse = raw.noVUConnectionReuse ?? false;
  if (typeof noVUConnectionReuse !== 'boolean')
    problems.push(`options.noVUConnectionReuse: expected true or false, got ${JSON.stringify(noVUConnectionReuse)}`);
  // k6 fails every request of a batch when `batch` is below 1 ("batch concurrency must be a positive number").
  const count = (key: 'batch' | 'batchPerHost', min: number): number => {
    const v = raw[key] ?? DEFAULT_BATCH_LIMITS[key];
    if (typeof v === 'number' && Number.isInteger(v) && v >= min) return v;
    problems.push(`options.${key}: expected an integer >= ${min}, got ${JSON.stringify(v)}`);
    return DEFAULT_BATCH_LIMITS[key];
  };
  const batchLimits = { batch: count('batch', 1), batchPerHost: count('batchPerHost', 0) };
  const tls = tlsOptions(raw, problems);
  return {
    raw,
    scenarios,
    thresholds: (typeof thresholds === 'object' && thresholds !== null ? thresholds : {}) as Record<string, unknown>,
    summaryTrendStats: Array.isArray(trend) ? (trend as string[]) : undefined,
    tags: (typeof tags === 'object' && tags !== null ? tags : {}) as Record<string, string>,
    maxRedirects: typeof maxRedirects === 'number' ? maxRedirects : 10,
    discardResponseBodies: raw.discardResponseBodies === true,
    userAgent: typeof raw.userAgent === 'string' ? raw.userAgent : DEFAULT_USER_AGENT,
    setupTimeout: dur('setupTimeout', 60_000),
    teardownTimeout: dur('teardownTimeout', 60_000),
    minIterationDuration: dur('minIterationDuration', 0),
    insecureSkipTLSVerify: raw.insecureSkipTLSVerify === true,
    tls,
    transport: {
      ...tls,
      dns: dnsOptions(raw.dns, problems),
      noConnectionReuse: noConnectionReuse === true,
      noVUConnectionReuse: noVUConnectionReuse === true,
      batchLimits,
    },
    batchLimits,
    noVUConnectionReuse: noVUConnectionReuse === true,
    throw: raw.throw === true,
    noCookiesReset: noCookiesReset === true,
  };
}
