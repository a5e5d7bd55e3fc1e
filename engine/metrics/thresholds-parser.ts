/**
 * Threshold configuration parsing, with k6's grammar and error cases
 * (k6 `metrics/thresholds_parser.go`, `metrics/metric.go` ParseMetricName / AddSubmetric).
 *
 * options.thresholds, as the user writes it:
 *
 *   thresholds     -> { metric_key: [ threshold, ... ], ... }
 *   threshold      -> expression_string
 *                   | { threshold: expression_string, abortOnFail?: boolean, delayAbortEval?: duration }
 *   duration       -> Go duration string ("10s", "1m30s", "500ms", "1h", k6 also "1d") | number (milliseconds)
 *
 *   metric_key     -> metric_name ( "{" tag_filter ( "," tag_filter )* "}" )?
 *   tag_filter     -> whitespace* tag_key whitespace* ":" whitespace* tag_value whitespace*
 *                     (key and value: any text without "," ; surrounding ' or " are stripped, as k6 does;
 *                      the value must not be empty)
 *
 * The expression (BNF as in k6; whitespace around the operator is allowed):
 *
 *   assertion          -> aggregation_method whitespace* operator whitespace* float
 *   aggregation_method -> trend | rate | gauge | counter
 *   counter            -> "count" | "rate"
 *   gauge              -> "value"
 *   rate               -> "rate"
 *   trend              -> "avg" | "min" | "max" | "med" | percentile
 *   percentile         -> "p(" float ")"           (0 <= float <= 100; k6 does not check the range, we do)
 *   operator           -> ">" | ">=" | "<=" | "<" | "==" | "===" | "!="
 *   float              -> "-"? digit+ ("." digit+)? (("e"|"E") ("+"|"-")? digit+)?   (k6: Go ParseFloat)
 *   whitespace         -> " "
 *
 * As in k6 the operator is found by scanning for the first of "<=", "<", ">=", ">", "===", "==", "!="
 * that occurs in the text (so longer tokens win), and both sides are trimmed.
 * Which aggregation applies to which metric type is checked later against the metric's definition
 * (`supportedAggregations`), because custom metrics are only known after the init context ran.
 */
import type { MetricType, SubmetricSelector } from './api.ts';

export type Operator = '<=' | '<' | '>=' | '>' | '===' | '==' | '!=';
export type Aggregation = 'value' | 'count' | 'rate' | 'avg' | 'min' | 'med' | 'max' | 'p';

export interface ThresholdExpression {
  source: string;
  aggregation: Aggregation;
  /** The N of p(N), else null. */
  percentile: number | null;
  operator: Operator;
  value: number;
  /** The aggregation as a stat name: "p(99.9)", "avg", ... */
  statKey: string;
}

export interface ThresholdConfig {
  expression: ThresholdExpression;
  abortOnFail: boolean;
  /** The delay as written (for reports), and in milliseconds (null: none). */
  delayAbortEval: string | null;
  delayAbortEvalMs: number | null;
}

export interface MetricThresholds {
  /** The key as written (spaces just inside the braces trimmed, as k6 names submetrics): `http_req_duration{name:submit}`. */
  key: string;
  metric: string;
  /** Null for a plain metric; the selector for a submetric. */
  selector: SubmetricSelector | null;
  thresholds: ThresholdConfig[];
}

const OPERATORS: readonly Operator[] = ['<=', '<', '>=', '>', '===', '==', '!='];
const PLAIN_AGGREGATIONS: readonly Aggregation[] = ['value', 'count', 'rate', 'avg', 'min', 'med', 'max'];
const FLOAT = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

const SUPPORTED: Record<MetricType, readonly Aggregation[]> = {
  counter: ['count', 'rate'],
  gauge: ['value'],
  rate: ['rate'],
  trend: ['avg', 'min', 'max', 'med', 'p'],
};

/** The aggregation methods a metric type supports (k6 `metric_type.go`). */
export function supportedAggregations(type: MetricType): readonly Aggregation[] {
  return SUPPORTED[type];
}

/** Parses `p(95) < 500`. Throws an Error whose message names the expression and what is wrong. */
export function parseThresholdExpression(input: string): ThresholdExpression {
  if (typeof input !== 'string') throw new Error(`threshold expression must be a string, got ${typeof input}`);
  let op: Operator | undefined;
  let at = -1;
  for (const candidate of OPERATORS) {
    at = input.indexOf(candidate);
    if (at >= 0) {
      op = candidate;
      break;
    }
  }
  if (op === undefined) {
    throw new Error(
      `malformed threshold expression ${JSON.stringify(input)}: no operator (expected one of ${OPERATORS.join(' ')}), e.g. "p(95)<500"`,
    );
  }
  const lhs = input.slice(0, at).trim();
  const rhs = input.slice(at + op.length).trim();
  const { aggregation, percentile } = parseAggregation(lhs, input);
  if (!FLOAT.test(rhs)) {
    throw new Error(
      `malformed threshold expression ${JSON.stringify(input)}: right-hand side ${JSON.stringify(rhs)} is not a number`,
    );
  }
  const statKey = aggregation === 'p' ? `p(${String(percentile)})` : aggregation;
  return { source: input, aggregation, percentile, operator: op, value: Number(rhs), statKey };
}

function parseAggregation(lhs: string, input: string): { aggregation: Aggregation; percentile: number | null } {
  const plain = PLAIN_AGGREGATIONS.find((a) => a === lhs);
  if (plain) return { aggregation: plain, percentile: null };
  if (lhs.startsWith('p(') && lhs.endsWith(')')) {
    const inner = lhs.slice(2, -1);
    if (!FLOAT.test(inner)) {
      throw new Error(
        `malformed threshold expression ${JSON.stringify(input)}: percentile ${JSON.stringify(inner)} in ${lhs} is not a number`,
      );
    }
    const p = Number(inner);
    if (p < 0 || p > 100) {
      throw new Error(`malformed threshold expression ${JSON.stringify(input)}: percentile ${p} is outside 0..100`);
    }
    return { aggregation: 'p', percentile: p };
  }
  throw new Error(
    `malformed threshold expression ${JSON.stringify(input)}: unknown aggregation method ${JSON.stringify(lhs)} ` +
      `(expected count, rate, value, avg, min, med, max or p(N))`,
  );
}

/** Parses `name{k:v,k2:v2}`. Throws with a message naming the key. */
export function parseMetricKey(key: string): { metric: string; selector: SubmetricSelector | null } {
  const open = key.indexOf('{');
  const close = key.lastIndexOf('}');
  if (open < 0 && close < 0) {
    if (key.trim() === '') throw new Error('metric name in a threshold key cannot be empty');
    return { metric: key, selector: null };
  }
  if (open < 0 || close < 0)
    throw new Error(`metric key ${JSON.stringify(key)} has an unmatched opening/closing curly brace`);
  if (close < open)
    throw new Error(`metric key ${JSON.stringify(key)}: closing curly brace appears before the opening one`);
  if (close !== key.length - 1)
    throw new Error(`metric key ${JSON.stringify(key)} lacks a closing curly brace in its last position`);
  const metric = key.slice(0, open);
  if (metric.trim() === '') throw new Error(`metric key ${JSON.stringify(key)} has no metric name before "{"`);
  const body = key.slice(open + 1, close);
  if (body.trim() === '')
    throw new Error(
      `submetric criteria for metric ${JSON.stringify(metric)} cannot be empty (in ${JSON.stringify(key)})`,
    );
  const tags: Record<string, string> = {};
  for (const part of body.split(',')) {
    const colon = part.indexOf(':');
    const rawValue = colon < 0 ? '' : part.slice(colon + 1);
    if (colon < 0 || rawValue === '') {
      throw new Error(
        `metric key ${JSON.stringify(key)}: tag filter ${JSON.stringify(part)} is malformed (expected key:value)`,
      );
    }
    const k = stripQuotes(part.slice(0, colon).trim());
    tags[k] = stripQuotes(rawValue.trim());
  }
  // k6 names the submetric parent + "{" + trimmed criteria + "}" (metric.go AddSubmetric).
  return { metric, selector: { key: `${metric}{${body.trim()}}`, parent: metric, tags } };
}

function stripQuotes(s: string): string {
  return s.replace(/^["']+/, '').replace(/["']+$/, '');
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Go/k6 duration ("1m30s", "500ms", "2d") or a number of milliseconds. Returns ms, or throws. */
export function parseDuration(raw: unknown): number {
  if (typeof raw === 'number' && Number.isFinite(raw) && raw >= 0) return raw;
  if (typeof raw !== 'string')
    throw new Error(`expected a duration like "10s" or a number of milliseconds, got ${JSON.stringify(raw)}`);
  const s = raw.trim();
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) throw new Error(`invalid duration ${JSON.stringify(raw)} (expected e.g. "10s", "1m30s", "500ms")`);
    total += Number(m[1]) * (UNIT_MS[m[2]!] ?? 0);
    pos = re.lastIndex;
  }
  if (s.length === 0) throw new Error('invalid duration "" (expected e.g. "10s")');
  return total;
}

/** Parses one threshold entry (string or object form). Throws with a message naming the problem. */
function parseEntry(entry: unknown): ThresholdConfig {
  if (typeof entry === 'string') {
    return {
      expression: parseThresholdExpression(entry),
      abortOnFail: false,
      delayAbortEval: null,
      delayAbortEvalMs: null,
    };
  }
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw new Error(
      `expected a threshold expression string or { threshold, abortOnFail, delayAbortEval }, got ${JSON.stringify(entry)}`,
    );
  }
  const o = entry as Record<string, unknown>;
  if (typeof o.threshold !== 'string')
    throw new Error(`"threshold" must be an expression string, got ${JSON.stringify(o.threshold)}`);
  if (o.abortOnFail !== undefined && o.abortOnFail !== null && typeof o.abortOnFail !== 'boolean') {
    throw new Error(`"abortOnFail" must be a boolean, got ${JSON.stringify(o.abortOnFail)}`);
  }
  const expression = parseThresholdExpression(o.threshold);
  const hasDelay = o.delayAbortEval !== undefined && o.delayAbortEval !== null;
  const delayMs = hasDelay ? parseDuration(o.delayAbortEval) : null;
  return {
    expression,
    abortOnFail: o.abortOnFail === true,
    delayAbortEval: hasDelay ? String(o.delayAbortEval) : null,
    delayAbortEvalMs: delayMs,
  };
}

/**
 * Parses options.thresholds. Returns every problem at once, each naming the key and expression.
 * Metric existence and type compatibility are checked separately (`validateThresholds`).
 */
export function parseThresholdConfig(raw: unknown): { metrics: MetricThresholds[]; errors: string[] } {
  const metrics: MetricThresholds[] = [];
  const errors: string[] = [];
  if (raw === undefined || raw === null) return { metrics, errors };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      metrics,
      errors: [
        `options.thresholds must be an object mapping metric names to arrays of expressions, got ${JSON.stringify(raw)}`,
      ],
    };
  }
  for (const [key, list] of Object.entries(raw as Record<string, unknown>)) {
    const where = `options.thresholds[${JSON.stringify(key)}]`;
    let parsedKey: ReturnType<typeof parseMetricKey>;
    try {
      parsedKey = parseMetricKey(key);
    } catch (e) {
      errors.push(`${where}: ${(e as Error).message}`);
      continue;
    }
    if (!Array.isArray(list)) {
      errors.push(
        `${where}: expected an array of threshold expressions, e.g. ["p(95)<500"], got ${JSON.stringify(list)}`,
      );
      continue;
    }
    const thresholds: ThresholdConfig[] = [];
    list.forEach((entry, i) => {
      try {
        thresholds.push(parseEntry(entry));
      } catch (e) {
        errors.push(`${where}[${i}]: ${(e as Error).message}`);
      }
    });
    metrics.push({
      key: parsedKey.selector?.key ?? key,
      metric: parsedKey.metric,
      selector: parsedKey.selector,
      thresholds,
    });
  }
  return { metrics, errors };
}

/** Checks every threshold against the metric definitions: unknown metric, aggregation not valid for the type. */
export function validateThresholds(
  metrics: readonly MetricThresholds[],
  typeOf: (name: string) => MetricType | undefined,
): string[] {
  const errors: string[] = [];
  for (const m of metrics) {
    const where = `options.thresholds[${JSON.stringify(m.key)}]`;
    const type = typeOf(m.metric);
    if (type === undefined) {
      errors.push(
        `${where}: no metric named ${JSON.stringify(m.metric)} exists (neither a k6 built-in metric nor a custom metric created in the init context)`,
      );
      continue;
    }
    const supported = SUPPORTED[type];
    for (const t of m.thresholds) {
      if (!supported.includes(t.expression.aggregation)) {
        errors.push(
          `${where}: ${JSON.stringify(t.expression.source)} uses aggregation method ${t.expression.aggregation === 'p' ? 'p(N)' : t.expression.aggregation}, ` +
            `unsupported on metric ${m.metric} of type ${type}; supported aggregation methods for this metric are: ${supported.map((a) => (a === 'p' ? 'p(N)' : a)).join(', ')}`,
        );
      }
    }
  }
  return errors;
}
