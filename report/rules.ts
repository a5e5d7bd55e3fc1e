/**
 * Regression rules: "this metric's stat may get worse by at most N percent of the baseline".
 * Written on the command line as `metric:stat:pct` (e.g. `http_req_duration{name:submit}:p(95):10`,
 * parsed from the right because a tag filter may hold colons), or in a threshold file's `regression`
 * array, each entry an object `{ "metric", "stat", "maxIncreasePct", "minAbsolute"?, "alpha"?, "minSamples"? }`
 * or the same string form. The optional fields have defaults (below, and docs/regression.md).
 */
import { ReportError } from './errors.ts';
import { readJson } from './load.ts';
import { percentileOf, type MetricKind } from './summary.ts';
import type { RegressionRule } from './types.ts';

/** Used when compareResults gets no rules at all (an empty array means: no rules). */
export const DEFAULT_RULES: readonly RegressionRule[] = [
  { metric: 'http_req_duration', stat: 'p(95)', maxIncreasePct: 10 },
];

/** Default significance level of a rule's one-sided test. */
export const DEFAULT_ALPHA = 0.01;
/** Default fewest samples per side for a decision (the normal approximations' usual lower bound). */
export const DEFAULT_MIN_SAMPLES = 10;

/**
 * The default absolute floor of a rule, in the metric's unit: a worsening no larger never fails.
 * Trend 1 (1 ms for time trends), rate 0.01 (one percentage point), counter 1 event for `count`
 * and 0.1/s for `rate`, gauge 0.
 */
export function defaultMinAbsolute(type: MetricKind, stat: string): number {
  switch (type) {
    case 'trend':
      return 1;
    case 'rate':
      return 0.01;
    case 'counter':
      return stat === 'rate' ? 0.1 : 1;
    case 'gauge':
      return 0;
  }
}

const NAMED_STATS = new Set(['avg', 'min', 'med', 'max', 'count', 'rate', 'value']);

export function isKnownStat(stat: string): boolean {
  return NAMED_STATS.has(stat) || percentileOf(stat) !== null;
}

/** Every problem of one rule, each naming the field (empty when valid). */
export function ruleProblems(rule: Partial<Record<keyof RegressionRule, unknown>>, where: string): string[] {
  const problems: string[] = [];
  if (typeof rule.metric !== 'string' || rule.metric === '')
    problems.push(`${where}.metric must be a metric name such as "http_req_duration"`);
  if (typeof rule.stat !== 'string' || !isKnownStat(rule.stat)) {
    problems.push(
      `${where}.stat must be one of avg, min, med, max, count, rate, value or p(N), got ${JSON.stringify(rule.stat)}`,
    );
  }
  if (typeof rule.maxIncreasePct !== 'number' || !Number.isFinite(rule.maxIncreasePct) || rule.maxIncreasePct < 0) {
    problems.push(`${where}.maxIncreasePct must be a number ≥ 0 (percent), got ${JSON.stringify(rule.maxIncreasePct)}`);
  }
  if (
    rule.minAbsolute !== undefined &&
    !(typeof rule.minAbsolute === 'number' && rule.minAbsolute >= 0 && Number.isFinite(rule.minAbsolute))
  ) {
    problems.push(
      `${where}.minAbsolute must be a number ≥ 0 in the metric's unit, got ${JSON.stringify(rule.minAbsolute)}`,
    );
  }
  if (rule.alpha !== undefined && !(typeof rule.alpha === 'number' && rule.alpha > 0 && rule.alpha < 0.5)) {
    problems.push(
      `${where}.alpha must be a significance level between 0 and 0.5 (e.g. 0.01), got ${JSON.stringify(rule.alpha)}`,
    );
  }
  if (rule.minSamples !== undefined && !(Number.isInteger(rule.minSamples) && (rule.minSamples as number) >= 2)) {
    problems.push(`${where}.minSamples must be an integer ≥ 2, got ${JSON.stringify(rule.minSamples)}`);
  }
  return problems;
}

function splitSpec(spec: string): Partial<Record<keyof RegressionRule, unknown>> {
  const last = spec.lastIndexOf(':');
  const middle = last > 0 ? spec.lastIndexOf(':', last - 1) : -1;
  if (middle <= 0) return {};
  const pct = spec
    .slice(last + 1)
    .trim()
    .replace(/%$/, '');
  return {
    metric: spec.slice(0, middle).trim(),
    stat: spec.slice(middle + 1, last).trim(),
    maxIncreasePct: pct === '' ? Number.NaN : Number(pct),
  };
}

/** Parses `metric:stat:pct`; `where` names the option or file field in the error. */
export function parseRuleSpec(spec: string, where = '--rule'): RegressionRule {
  const rule = splitSpec(spec);
  if (rule.metric === undefined) {
    throw new ReportError(
      'REPORT_BAD_RULE',
      `${where} "${spec}": expected metric:stat:maxIncreasePct, e.g. http_req_duration:p(95):10`,
    );
  }
  const problems = ruleProblems(rule, where);
  if (problems.length) throw new ReportError('REPORT_BAD_RULE', `${where} "${spec}": ${problems.join('; ')}`);
  return rule as RegressionRule;
}

const RULE_FIELDS = new Set(['metric', 'stat', 'maxIncreasePct', 'minAbsolute', 'alpha', 'minSamples']);

/** The rule's known fields only (validated), optional ones when given. */
export function pickRule(obj: Partial<Record<keyof RegressionRule, unknown>>): RegressionRule {
  const rule: RegressionRule = {
    metric: obj.metric as string,
    stat: obj.stat as string,
    maxIncreasePct: obj.maxIncreasePct as number,
  };
  if (obj.minAbsolute !== undefined) rule.minAbsolute = obj.minAbsolute as number;
  if (obj.alpha !== undefined) rule.alpha = obj.alpha as number;
  if (obj.minSamples !== undefined) rule.minSamples = obj.minSamples as number;
  return rule;
}

/** The `regression` rules of a threshold file (none when the field is absent). */
export async function rulesFromThresholdsFile(file: string): Promise<RegressionRule[]> {
  const data = await readJson(file);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ReportError('REPORT_FILE_MALFORMED', `${file}: expected a JSON object with a "regression" array`);
  }
  const list = (data as Record<string, unknown>).regression;
  if (list === undefined) return [];
  if (!Array.isArray(list))
    throw new ReportError('REPORT_FILE_MALFORMED', `${file}: field "regression" must be an array of rules`);
  const problems: string[] = [];
  const rules: RegressionRule[] = [];
  list.forEach((entry: unknown, i) => {
    const where = `regression[${i}]`;
    if (typeof entry === 'string') {
      try {
        rules.push(parseRuleSpec(entry, where));
      } catch (err) {
        problems.push((err as Error).message);
      }
      return;
    }
    const obj = (typeof entry === 'object' && entry !== null ? entry : {}) as Partial<
      Record<keyof RegressionRule, unknown>
    >;
    const unknown = Object.keys(obj).filter((k) => !RULE_FIELDS.has(k));
    const p = [
      ...ruleProblems(obj, where),
      ...unknown.map((k) => `${where}.${k}: unknown field (expected ${[...RULE_FIELDS].join(', ')})`),
    ];
    if (p.length) problems.push(...p);
    else rules.push(pickRule(obj));
  });
  if (problems.length) throw new ReportError('REPORT_BAD_RULE', `${file}: ${problems.join('; ')}`);
  return rules;
}
