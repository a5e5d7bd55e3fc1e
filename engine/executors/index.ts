/** The executors by k6 type name, and validation of `options.scenarios`. */
import type { BaseConfig } from './base-config.ts';
import type { Executor } from './context.ts';
import { constantArrivalRate } from './constant-arrival-rate.ts';
import { constantVus } from './constant-vus.ts';
import { perVuIterations } from './per-vu-iterations.ts';
import { rampingArrivalRate } from './ramping-arrival-rate.ts';
import { rampingVus } from './ramping-vus.ts';
import { sharedIterations } from './shared-iterations.ts';
import { scaleInt, subSegment, type Segment } from '../options/segment.ts';

export const EXECUTORS: Record<string, Executor<BaseConfig>> = {
  'shared-iterations': sharedIterations as unknown as Executor<BaseConfig>,
  'per-vu-iterations': perVuIterations as unknown as Executor<BaseConfig>,
  'constant-vus': constantVus as unknown as Executor<BaseConfig>,
  'ramping-vus': rampingVus as unknown as Executor<BaseConfig>,
  'constant-arrival-rate': constantArrivalRate as unknown as Executor<BaseConfig>,
  'ramping-arrival-rate': rampingArrivalRate as unknown as Executor<BaseConfig>,
};

export function executorOf(config: BaseConfig): Executor<BaseConfig> {
  const ex = EXECUTORS[config.executor];
  if (!ex) throw new Error(`no executor ${config.executor}`);
  return ex;
}

/** Validates every scenario; returns the configs and every problem found. */
export function parseScenarios(raw: unknown): { configs: BaseConfig[]; problems: string[] } {
  const problems: string[] = [];
  const configs: BaseConfig[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { configs, problems: [`scenarios: expected an object of named scenarios, got ${JSON.stringify(raw)}`] };
  }
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) problems.push('scenarios: at least one scenario is needed');
  for (const [name, value] of entries) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`scenarios.${name}: expected an object with an "executor", got ${JSON.stringify(value)}`);
      continue;
    }
    const rawConfig = value as Record<string, unknown>;
    const type = rawConfig.executor;
    if (type === 'externally-controlled') {
      problems.push(
        `scenarios.${name}.executor: "externally-controlled" was removed in k6 v2 and is not supported; use ramping-vus or constant-vus`,
      );
      continue;
    }
    const ex = typeof type === 'string' ? EXECUTORS[type] : undefined;
    if (!ex) {
      problems.push(
        `scenarios.${name}.executor: expected one of ${Object.keys(EXECUTORS).join(', ')}, got ${JSON.stringify(type)}`,
      );
      continue;
    }
    configs.push(ex.parse(name, rawConfig, problems));
  }
  return { configs, problems };
}

/**
 * The part of a scenario worker `index` of `count` runs, or null when it sits this scenario out:
 * a scenario is split over at most as many workers as it has VUs (in the process's segment), so
 * that no worker gets iterations without a VU to run them.
 */
export function scenarioSegment(
  config: BaseConfig,
  processSegment: Segment,
  index: number,
  count: number,
): Segment | null {
  const vus = scaleInt(executorOf(config).maxVus(config), processSegment);
  const k = Math.max(1, Math.min(count, vus));
  return index < k ? subSegment(processSegment, index, k) : null;
}

/** Peak number of VUs alive at once over all scenarios (k6 reuses VUs between scenarios that do not overlap). */
export function peakVus(configs: readonly BaseConfig[], scale: (n: number, config: BaseConfig) => number): number {
  const events: Array<[number, number]> = [];
  for (const c of configs) {
    const ex = executorOf(c);
    const n = scale(ex.plannedVus(c), c);
    events.push([c.startTime, n], [c.startTime + ex.maxDuration(c), -n]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, n] of events) peak = Math.max(peak, (now += n));
  return peak;
}
