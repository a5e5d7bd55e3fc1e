/**
 * The verdict of one run: every threshold re-evaluated from summary.json, the run-level checks
 * of the threshold file's `run` section, the regression rows against a baseline, and the exit code.
 */
import type { ThresholdFile } from './thresholds-file.ts';
import { compare, evaluateThreshold, NO_SAMPLES } from './threshold-eval.ts';
import { scalarOf, statsOf, type SummaryFile } from './summary-values.ts';
import { RunExit } from './errors.ts';

export type CheckSource = 'threshold' | 'run' | 'regression';

export interface VerdictCheck {
  source: CheckSource;
  metric: string;
  expression: string;
  observed: number | null;
  ok: boolean;
  /** Not evaluated (e.g. the target's memory when the target is the user's own); counts as passed. */
  skipped?: boolean;
  note?: string;
}

export interface Verdict {
  ok: boolean;
  exitCode: number;
  checks: VerdictCheck[];
  /** Why the exit code is what it is, when not simply the checks (engine error, missing summary). */
  notes: string[];
}

/** Values measured by the orchestrator itself (null: not measured). */
export interface RunMeasurements {
  target_peak_rss_mb: number | null;
  engine_peak_rss_mb: number | null;
}

/** Degradation over time: p(95) of the last window over p(95) of the first (endurance scenario). */
export const DEGRADATION = {
  check: 'degradation_ratio',
  first: 'endurance_latency{window:first}',
  last: 'endurance_latency{window:last}',
  stat: 'p(95)',
} as const;

/** The observed degradation ratio, or a note saying why there is none. */
export function degradationRatio(summary: SummaryFile): { value: number | null; note?: string } {
  const first = summary.metrics[DEGRADATION.first];
  const last = summary.metrics[DEGRADATION.last];
  if (!first || !last)
    return { value: null, note: `needs ${DEGRADATION.first} and ${DEGRADATION.last} in summary.json` };
  const a = statsOf(first)[DEGRADATION.stat];
  const b = statsOf(last)[DEGRADATION.stat];
  if (a === undefined || b === undefined) return { value: null, note: `needs ${DEGRADATION.stat} of both windows` };
  if (a <= 0) return { value: null, note: `${DEGRADATION.first} ${DEGRADATION.stat} is ${a}` };
  return { value: b / a };
}

/**
 * How many samples each metric key got (samples.json: the engine's own count, or k6's raw points
 * counted). Null when the run left none: then only what the summary itself proves is evidence.
 */
export type SampleCounts = Readonly<Record<string, number>> | null;

/** Zero samples for `key` by the counts (a key the counts do not list got none). */
function empty(samples: SampleCounts, key: string): boolean {
  return samples !== null && (samples[key] ?? 0) === 0;
}

/** Uncaught exceptions the engine logged (k6's `source=stacktrace` lines), in total and per scenario. */
export interface ExceptionCounts {
  total: number;
  byScenario: Record<string, number>;
}

/** `script_exceptions` or `script_exceptions{scenario:NAME}`: a run check on the exceptions the engine logged. */
const EXCEPTIONS = /^script_exceptions(?:\{scenario:([^{}]+)\})?$/;

const COMPARISON = /^\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/;

function runCheck(
  name: string,
  expression: string,
  summary: SummaryFile,
  measured: RunMeasurements,
  evidence: Evidence,
): VerdictCheck {
  const m = COMPARISON.exec(expression);
  const base = { source: 'run' as const, metric: name, expression: expression.trim() };
  if (!m) return { ...base, observed: null, ok: false, note: 'not a comparison (schema should have caught it)' };
  let observed: number | null;
  let note: string | undefined;
  const exceptions = EXCEPTIONS.exec(name);
  if (name === DEGRADATION.check) ({ value: observed, note } = degradationRatio(summary));
  else if (name === 'target_peak_rss_mb' || name === 'engine_peak_rss_mb') {
    observed = measured[name];
    if (observed === null)
      return { ...base, observed, ok: true, skipped: true, note: 'not measured (process not started by the kit)' };
  } else if (exceptions) {
    if (!evidence.exceptions)
      return { ...base, observed: null, ok: false, note: 'no engine log to count exceptions in' };
    observed =
      exceptions[1] === undefined ? evidence.exceptions.total : (evidence.exceptions.byScenario[exceptions[1]] ?? 0);
  } else if (empty(evidence.samples, name)) {
    return { ...base, observed: null, ok: false, note: NO_SAMPLES };
  } else {
    observed = scalarOf(summary.metrics[name]);
    if (observed === null)
      note = summary.metrics[name] ? 'a trend: put it under "thresholds"' : 'metric absent from summary.json';
  }
  if (observed === null) return { ...base, observed, ok: false, note };
  return { ...base, observed, ok: compare(observed, m[1]!, Number(m[2])) };
}

/** What the run proves beyond the summary's values: sample counts and the exceptions the engine logged. */
export interface Evidence {
  samples: SampleCounts;
  exceptions: ExceptionCounts | null;
}

/** No evidence beyond the summary (unit tests, reports of foreign results). */
export const SUMMARY_ONLY: Evidence = { samples: null, exceptions: null };

/**
 * Every threshold of the file, re-evaluated from the summary. A metric that got no samples fails
 * ("no samples") unless the item is marked `allowEmpty`; then it is evaluated as k6 would (zero).
 */
export function thresholdChecks(
  file: ThresholdFile,
  summary: SummaryFile,
  evidence: Evidence = SUMMARY_ONLY,
): VerdictCheck[] {
  const checks: VerdictCheck[] = [];
  for (const [metric, list] of Object.entries(file.thresholds)) {
    for (const item of list) {
      const expression = typeof item === 'string' ? item : item.threshold;
      const allowEmpty = typeof item !== 'string' && item.allowEmpty === true;
      if (!allowEmpty && empty(evidence.samples, metric)) {
        checks.push({ source: 'threshold', metric, expression, ok: false, observed: null, note: NO_SAMPLES });
        continue;
      }
      const outcome = evaluateThreshold(expression, summary.metrics[metric]);
      if (allowEmpty && outcome.note === NO_SAMPLES) {
        checks.push({
          source: 'threshold',
          metric,
          expression,
          ok: true,
          observed: null,
          note: 'no samples (allowEmpty)',
        });
        continue;
      }
      checks.push({
        source: 'threshold',
        metric,
        expression,
        ...outcome,
        ...(allowEmpty && empty(evidence.samples, metric) ? { note: 'no samples (allowEmpty)' } : {}),
      });
    }
  }
  return checks;
}

export function runChecks(
  file: ThresholdFile,
  summary: SummaryFile,
  measured: RunMeasurements,
  evidence: Evidence = SUMMARY_ONLY,
): VerdictCheck[] {
  const checks = Object.entries(file.run).map(([name, expr]) => runCheck(name, expr, summary, measured, evidence));
  // Exceptions no check names are still shown: a row that passes, with the count.
  const ex = evidence.exceptions;
  if (ex && ex.total > 0 && !Object.keys(file.run).some((name) => EXCEPTIONS.test(name))) {
    const per = Object.entries(ex.byScenario)
      .map(([s, n]) => `${s}: ${n}`)
      .join(', ');
    checks.push({
      source: 'run',
      metric: 'script_exceptions',
      expression: '(shown)',
      observed: ex.total,
      ok: true,
      note: `uncaught exceptions in iterations (${per}); not gated: name script_exceptions{scenario:NAME} in "run" to gate`,
    });
  }
  return checks;
}

/** Engine exit codes passed through as they are (k6's meaning is kept). */
const PASSED_THROUGH = new Set<number>([
  RunExit.INVALID_CONFIG,
  RunExit.EXTERNAL_ABORT,
  RunExit.SCRIPT_EXCEPTION,
  RunExit.SCRIPT_ABORTED,
]);

export interface VerdictInput {
  checks: VerdictCheck[];
  engineExitCode: number;
  /** False when the engine left no summary.json. */
  haveSummary: boolean;
}

/** Combines the checks and the engine's exit code into the run's exit code. */
export function decide({ checks, engineExitCode, haveSummary }: VerdictInput): Verdict {
  const notes: string[] = [];
  const checksOk = checks.every((c) => c.ok);
  let exitCode: number = checksOk ? RunExit.OK : RunExit.THRESHOLDS_FAILED;
  if (PASSED_THROUGH.has(engineExitCode)) {
    exitCode = engineExitCode;
    notes.push(`the engine exited with ${engineExitCode}`);
  } else if (engineExitCode === RunExit.THRESHOLDS_FAILED) {
    exitCode = RunExit.THRESHOLDS_FAILED;
    if (checksOk) notes.push('the engine reported a breached threshold');
  } else if (engineExitCode !== 0) {
    exitCode = RunExit.SCRIPT_EXCEPTION;
    notes.push(`the engine exited with ${engineExitCode} (unexpected): reported as a script error (107)`);
  } else if (!haveSummary) {
    exitCode = RunExit.SCRIPT_EXCEPTION;
    notes.push('the engine wrote no summary.json');
  }
  return { ok: exitCode === RunExit.OK, exitCode, checks, notes };
}
