/**
 * Load shapes of LLM benchmarks for the llm-stream scenario (docs/llm-benchmarking.md, "Load
 * shapes"), as k6 scenarios that run the same under the Node engine and a real k6:
 *
 *   concurrency  VUS streams in total, a closed loop (constant-vus); providers share them as
 *                evenly as integers allow, the first ones taking the remainder (5 over 2: 3, 2)
 *   rate         RATE requests/s in total, evenly split (constant-arrival-rate; a fractional
 *                rate is written with a longer timeUnit, 2.5/s as 25 per 10s)
 *   poisson      RATE requests/s in total as a Poisson process: exponential gaps drawn, seeded,
 *                at init into an arrival schedule; a shared-iterations scenario with as many
 *                iterations as arrivals, where iteration k (exec.scenario.iterationInTest) sleeps
 *                until scenario start + arrival k, then sends. Every VU computes the same schedule
 *                from SEED; an arrival finding every VU busy is sent late, never dropped
 *   sweep        SWEEP lists the levels (streams, or requests/s); step i (1-based) is one scenario
 *                per provider, startTime (i-1) x (WARMUP + DURATION), tagged step:i; each step has
 *                its own warm-up, which also absorbs the previous step's drain
 *
 * Lengths: a normal draw (mean, stddev), rounded, at least 1, from a PRNG seeded by SEED, the
 * scenario and the request's number in it: the same requests get the same lengths on any engine.
 * Pure functions, no k6 import (test/scenarios/llm-load.test.ts).
 */
import type { Provider } from './llm-stream.ts';

export type LoadShape = 'concurrency' | 'rate' | 'poisson';

/** mulberry32: a small seeded PRNG of 32-bit state, uniform in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of the parts: a 32-bit seed from a seed and names. */
export function seedOf(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (const c of parts.join('\u0000')) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

/** Arrival times (ms from 0) of a Poisson process of `perSecond`, up to `durationMs`: exponential gaps. */
export function poissonArrivals(perSecond: number, durationMs: number, seed: number): number[] {
  const u = prng(seed);
  const meanGap = 1000 / perSecond;
  const out: number[] = [];
  for (let t = -meanGap * Math.log(1 - u()); t < durationMs; t += -meanGap * Math.log(1 - u())) out.push(t);
  return out;
}

/** A normal draw (Box–Muller), rounded, at least 1; stddev 0 gives the mean. */
export function drawLength(mean: number, stddev: number, u: () => number): number {
  if (stddev === 0) return Math.max(1, Math.round(mean));
  const z = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return Math.max(1, Math.round(mean + stddev * z));
}

/** `total` split over `n` as evenly as integers allow, the first ones taking the remainder. */
export function splitTotal(total: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.floor(total / n) + (i < total % n ? 1 : 0));
}

/** A positive request rate as k6's integer rate per timeUnit: 2 → 2/1s, 2.5 → 25/10s, 1/3 → 333/1000s. */
export function k6Rate(perSecond: number): { rate: number; timeUnit: string } {
  for (const unit of [1, 10, 100]) {
    const n = perSecond * unit;
    if (Math.abs(n - Math.round(n)) < 1e-9 && Math.round(n) >= 1) return { rate: Math.round(n), timeUnit: `${unit}s` };
  }
  return { rate: Math.max(1, Math.round(perSecond * 1000)), timeUnit: '1000s' };
}

/** Parses SWEEP ("1,2,4,8"): positive numbers, integers for concurrency; every bad entry named at once. */
export function parseLevels(raw: string, shape: LoadShape): number[] {
  const parts = raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const bad = parts.filter((p) => {
    const n = Number(p);
    return !Number.isFinite(n) || n <= 0 || (shape === 'concurrency' && !Number.isInteger(n));
  });
  if (bad.length || parts.length === 0)
    throw new Error(
      `SWEEP: ${bad.length ? bad.map((b) => `"${b}"`).join(', ') : 'empty'} (expected a list of positive ${shape === 'concurrency' ? 'integers (streams)' : 'numbers (requests/s)'}, e.g. 1,2,4)`,
    );
  return parts.map(Number);
}

export interface LoadConfig {
  shape: LoadShape;
  providers: Provider[];
  /** One level per step (total streams, or total requests/s); one entry without a sweep. */
  levels: number[];
  sweep: boolean;
  warmupMs: number;
  measuredMs: number;
  /** Rate shapes: VUs in total per step (split as streams are). */
  maxVus: number;
  seed: number;
}

/** What the script needs of a scenario at run time, looked up by exec.scenario.name. */
export interface StepPlan {
  provider: Provider;
  /** 1-based step of a sweep, null without one. */
  step: number | null;
  /** This provider's share of the step's level. */
  level: number;
  /** Poisson: arrival times in ms from the scenario's start. */
  arrivals: number[] | null;
}

const seconds = (ms: number): string => `${ms / 1000}s`;

function executorOf(cfg: LoadConfig, share: number, vus: number, arrivals: number[] | null): Record<string, unknown> {
  const duration = seconds(cfg.warmupMs + cfg.measuredMs);
  if (cfg.shape === 'concurrency') return { executor: 'constant-vus', vus: share, duration };
  if (cfg.shape === 'rate')
    return { executor: 'constant-arrival-rate', ...k6Rate(share), duration, preAllocatedVUs: vus, maxVUs: vus };
  return { executor: 'shared-iterations', vus: Math.min(vus, arrivals!.length), iterations: arrivals!.length, maxDuration: duration }; // prettier-ignore
}

/** The k6 scenarios of a load shape, and the plan of each scenario by name; every problem named at once. */
export function buildScenarios(cfg: LoadConfig): {
  scenarios: Record<string, Record<string, unknown>>;
  plans: Record<string, StepPlan>;
} {
  const n = cfg.providers.length;
  const problems: string[] = [];
  const knob = cfg.sweep ? 'SWEEP' : cfg.shape === 'concurrency' ? 'VUS' : 'RATE';
  if (cfg.shape === 'concurrency')
    for (const l of cfg.levels)
      if (l < n) problems.push(`${knob}: ${l} streams in total cannot be shared by ${n} providers (${cfg.providers.join(', ')})`); // prettier-ignore
  if (cfg.shape !== 'concurrency' && cfg.maxVus < n)
    problems.push(`MAX_VUS: ${cfg.maxVus} VUs in total cannot be shared by ${n} providers`);
  const scenarios: Record<string, Record<string, unknown>> = {};
  const plans: Record<string, StepPlan> = {};
  const vus = splitTotal(cfg.maxVus, n);
  cfg.levels.forEach((level, i) => {
    const step = cfg.sweep ? i + 1 : null;
    const streams = splitTotal(level, n);
    cfg.providers.forEach((provider, p) => {
      const name = step === null ? provider : `${provider}_step${step}`;
      const share = cfg.shape === 'concurrency' ? streams[p]! : level / n;
      const arrivals = cfg.shape === 'poisson' ? poissonArrivals(share, cfg.warmupMs + cfg.measuredMs, seedOf(cfg.seed, name)) : null; // prettier-ignore
      if (arrivals && arrivals.length === 0)
        problems.push(`${knob}: ${level}/s draws no arrival for ${provider} in ${seconds(cfg.warmupMs + cfg.measuredMs)}`); // prettier-ignore
      const tags: Record<string, string> = step === null ? { provider } : { provider, step: String(step) };
      scenarios[name] = {
        ...executorOf(cfg, share, vus[p]!, arrivals),
        exec: 'stream',
        startTime: seconds(i * (cfg.warmupMs + cfg.measuredMs)),
        gracefulStop: '30s',
        tags,
      };
      plans[name] = { provider, step, level: share, arrivals };
    });
  });
  if (problems.length) throw new Error(problems.join('; '));
  return { scenarios, plans };
}

/** A prompt of about `tokens` tokens by the client's estimate (ceil(characters / 4)): exactly 4 × tokens characters. */
export function promptOfTokens(tokens: number, n: number): string {
  const words = `request ${n} asks about queues, retries and caches; `;
  return `${words.repeat(Math.ceil((4 * tokens) / words.length)).slice(0, 4 * tokens - 1)}.`;
}
