/**
 * The result of a capacity search from its steps: the capacity (highest load where every
 * threshold held), the first threshold that broke above it with its observed value, the gates
 * (--min, --baseline) and the exit code; and the per-step view the reports draw (medians, spread).
 */
import type { CapacityStepView, CapacityView } from '../../report/index.ts';
import { RunExit } from '../errors.ts';
import { formatNumber } from '../format.ts';
import type { VerdictCheck } from '../verdict.ts';
import type { CapacityOptions } from './options.ts';
import type { StopReason } from './search.ts';
import type { StepResult } from './step.ts';

export interface Gate {
  name: string;
  expression: string;
  observed: number | null;
  ok: boolean;
  note: string;
}

export interface CapacityResult {
  capacity: number | null;
  /** The lowest load that broke, and its first failed check. */
  breaking: { load: number; metric: string; expression: string; observed: number | null; note?: string } | null;
  stop: StopReason | 'error';
  gates: Gate[];
  exitCode: number;
  verdictText: string;
}

export function median(values: readonly (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

function spread(values: readonly (number | null)[]): [number, number] | null {
  const v = values.filter((x): x is number => x !== null);
  return v.length > 1 ? [Math.min(...v), Math.max(...v)] : null;
}

const checkText = (c: VerdictCheck): string =>
  `${c.metric} ${c.expression} (observed ${c.observed === null ? (c.note ?? 'none') : formatNumber(c.observed)})`;

/** The step as the reports show it. */
export function stepView(s: StepResult, root: string): CapacityStepView {
  const r = s.repeats;
  const pick = (f: (x: (typeof r)[number]) => number | null) => r.map(f);
  const firstFailed = r.find((x) => !x.held && x.failed.length)?.failed[0];
  return {
    index: s.index,
    load: s.load,
    held: s.held,
    repeats: r.length,
    achieved: median(pick((x) => x.achieved)),
    goodput: median(pick((x) => x.goodput)),
    p50: median(pick((x) => x.p50)),
    p95: median(pick((x) => x.p95)),
    p99: median(pick((x) => x.p99)),
    errorRate: median(pick((x) => x.errorRate)),
    peakRssMb: median(pick((x) => x.peakRssMb)),
    spread: { achieved: spread(pick((x) => x.achieved)), p95: spread(pick((x) => x.p95)) },
    broke: s.errorExit !== null ? `exit ${s.errorExit}` : !s.held && firstFailed ? checkText(firstFailed) : null,
    dir: s.dir.startsWith(root) ? s.dir.slice(root.length + 1) : s.dir,
  };
}

function gates(copts: CapacityOptions, capacity: number | null): Gate[] {
  const out: Gate[] = [];
  if (copts.min !== undefined)
    out.push({
      name: 'capacity',
      expression: `>=${copts.min} (--min)`,
      observed: capacity,
      ok: capacity !== null && capacity >= copts.min,
      note: capacity === null ? 'no load held' : '',
    });
  const b = copts.baseline;
  if (b) {
    const floor = b.capacity === null ? null : b.capacity * (1 - b.maxDropPct / 100);
    const drop = b.capacity && capacity !== null ? ((b.capacity - capacity) / b.capacity) * 100 : null;
    out.push({
      name: 'capacity vs baseline',
      expression: `drop <=${b.maxDropPct}% of ${b.capacity ?? 'none'} (--baseline ${b.dir})`,
      observed: capacity,
      ok: floor === null || (capacity !== null && capacity >= floor),
      note: b.capacity === null ? 'the baseline found no capacity: nothing to drop from' : drop === null ? 'no load held' : `${drop >= 0 ? '-' : '+'}${Math.abs(drop).toFixed(1)}% vs baseline`, // prettier-ignore
    });
  }
  return out;
}

const STOPS: Record<CapacityResult['stop'], string> = {
  resolution: 'bisected to the resolution',
  'max-steps': 'stopped at --max-steps before reaching the resolution',
  'max-load': 'every step held up to --max-load: the capacity is at least that',
  'below-start': 'the first step (--start) already broke: the capacity is below it',
  error: 'the search ended early: a step could not be judged, a component failed, or a signal stopped it',
};

export function resultOf(
  copts: CapacityOptions,
  steps: readonly StepResult[],
  lo: number | null,
  hi: number | null,
  stop: StopReason | null,
): CapacityResult {
  const error = steps.find((s) => s.errorExit !== null);
  const capacity = lo;
  const breakingStep = hi === null ? undefined : steps.find((s) => s.load === hi && !s.held && s.errorExit === null);
  const failed = breakingStep?.repeats.find((r) => !r.held)?.failed[0];
  const breaking =
    breakingStep && failed
      ? { load: breakingStep.load, metric: failed.metric, expression: failed.expression, observed: failed.observed, ...(failed.note ? { note: failed.note } : {}) } // prettier-ignore
      : null;
  const g = error ? [] : gates(copts, capacity);
  const exitCode = error ? error.errorExit! : g.every((x) => x.ok) ? RunExit.OK : RunExit.THRESHOLDS_FAILED;
  const unit = copts.knob.unit;
  const cap = capacity === null ? 'no load held' : `capacity ${formatNumber(capacity)} ${unit}`;
  const broke = breaking ? `; first breach at ${formatNumber(breaking.load)}: ${breaking.metric} ${breaking.expression} (observed ${breaking.observed === null ? (breaking.note ?? 'none') : formatNumber(breaking.observed)})` : ''; // prettier-ignore
  const why = STOPS[error ? 'error' : (stop ?? 'error')];
  return {
    capacity,
    breaking,
    stop: error ? 'error' : (stop ?? 'error'),
    gates: g,
    exitCode,
    verdictText: `${cap}${broke} (${why}; ${steps.length} step${steps.length === 1 ? '' : 's'})`,
  };
}

export function viewOf(
  copts: CapacityOptions,
  result: CapacityResult,
  steps: readonly StepResult[],
  root: string,
): CapacityView {
  return {
    scenario: copts.run.scenario,
    unit: copts.knob.unit,
    knob: copts.knob.env,
    trend: copts.trend,
    capacity: result.capacity,
    verdictText: result.verdictText,
    ok: result.exitCode === RunExit.OK,
    exitCode: result.exitCode,
    notes: [],
    gates: result.gates,
    steps: steps.map((s) => stepView(s, root)),
  };
}
