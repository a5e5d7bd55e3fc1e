/**
 * What a capacity search turns and what it reads, per scenario:
 * - the knob: the script's environment variable that sets the load (RATE for open-model
 *   scenarios, VUS for closed ones; llm-stream: VUS concurrent streams, or RATE with -e LOAD=rate
 *   or poisson), its unit, and whether it takes whole numbers only;
 * - the main trend: the first metric of the threshold file with a latency-like threshold
 *   (percentile, avg, med, min, max), whose p50/p95/p99 each step reports, and the tightest
 *   upper bound on it (`p(95)<5000` → 5000), which goodput counts requests against.
 */
import { parseThresholdExpression } from '../../engine/metrics/index.ts';
import type { ThresholdFile } from '../thresholds-file.ts';

export interface Knob {
  /** The script's environment variable. */
  env: 'RATE' | 'VUS';
  /** What one unit of load is, for tables and charts. */
  unit: string;
  /** Open model (arrival rate) or closed (VUs, streams). */
  model: 'open' | 'closed';
  integer: boolean;
}

const RATE: Knob = { env: 'RATE', unit: 'req/s', model: 'open', integer: true };
const VUS: Knob = { env: 'VUS', unit: 'VUs', model: 'closed', integer: true };

/** The kit's scenarios: which knob sets their load (bulk has none: its load is a fixed plan). */
const KNOBS: Readonly<Record<string, Knob>> = {
  load: RATE,
  spike: { ...RATE, unit: 'req/s (baseline; the spike is 10x)' },
  endurance: RATE,
  outbox: RATE,
  batch: { ...RATE, unit: 'batches/s' },
  stress: { ...VUS, unit: 'VUs (steady; the ramp goes to 4x)' },
  redis: VUS,
  queue: VUS,
};

/**
 * The knob of a scenario: `--knob` when given, else the kit's table; llm-stream's depends on LOAD.
 * Null when neither says (a config's scenario without --knob, bulk).
 */
export function knobOf(scenario: string, env: Readonly<Record<string, string>>, option?: string): Knob | null {
  if (scenario === 'llm-stream') {
    const load = env.LOAD ?? 'concurrency';
    if (load === 'rate' || load === 'poisson')
      return { env: 'RATE', unit: 'req/s (streams)', model: 'open', integer: false };
    if (option === undefined || option === 'VUS') return { ...VUS, unit: 'concurrent streams' };
  }
  if (option === 'RATE') return RATE;
  if (option === 'VUS') return VUS;
  return KNOBS[scenario] ?? null;
}

export interface MainTrend {
  metric: string;
  /** The tightest upper bound of its thresholds (ms), or null when it has none (then no goodput). */
  bound: number | null;
}

const LATENCY = new Set(['p', 'avg', 'med', 'min', 'max']);

/** The first metric with a latency-like threshold, `--trend` when given (it must have one). */
export function mainTrendOf(file: ThresholdFile, option?: string): MainTrend | null {
  for (const [metric, list] of Object.entries(file.thresholds)) {
    if (option !== undefined && metric !== option) continue;
    let latency = false;
    let bound: number | null = null;
    for (const item of list) {
      const parsed = parseThresholdExpression(typeof item === 'string' ? item : item.threshold);
      if (!LATENCY.has(parsed.aggregation)) continue;
      latency = true;
      if (parsed.operator === '<' || parsed.operator === '<=') bound = bound === null ? parsed.value : Math.min(bound, parsed.value); // prettier-ignore
    }
    if (latency) return { metric, bound };
  }
  return null;
}
