/**
 * Loads a scenario's threshold file (`thresholds/<scenario>.json` or `--thresholds FILE`):
 * JSON parse, validation against `thresholds/schema.json`, and a parse of every threshold
 * expression with the engine's own parser. Every problem is reported at once, each naming the
 * file and the JSON pointer (`thresholds/load.json: /thresholds/e2e_duration/0: ...`).
 */
import { readFileSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { formatSchemaErrors } from './schema-errors.ts';
import { RunConfigError, messageOf } from './errors.ts';

export interface ThresholdSpec {
  threshold: string;
  abortOnFail?: boolean;
  delayAbortEval?: string;
  /** The kit's own field (not k6's): an empty metric counts as zero instead of failing "no samples". */
  allowEmpty?: boolean;
}

export interface RegressionRule {
  metric: string;
  stat: string;
  /** The largest tolerated worsening, in percent of the baseline value (reports room's rule shape). */
  maxIncreasePct: number;
}

export interface ThresholdFile {
  /** The file as the user named it (relative to cwd when inside it). */
  file: string;
  description?: string;
  thresholds: Record<string, Array<string | ThresholdSpec>>;
  run: Record<string, string>;
  regression: RegressionRule[];
  /** The rule of `capacity --baseline`: the largest tolerated drop of the capacity, in percent. */
  capacity?: { maxDropPct: number };
}

/** Returns null when the expression parses, else the parser's message. */
export type ExpressionCheck = (expression: string, metricKey: string) => string | null;

export const SCHEMA_PATH = resolve(import.meta.dirname, '../thresholds/schema.json');

/** A threshold file is a few hundred bytes; anything over 1 MiB is refused unread (exit 104). */
export const MAX_THRESHOLD_FILE_BYTES = 1024 * 1024;

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false });
  ajv.addKeyword({ keyword: 'x-expected', schemaType: 'string' });
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  delete schema.$schema; // draft-07 is ajv's default meta-schema
  compiled = ajv.compile(schema);
  return compiled;
}

function displayName(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

/** Validates already-parsed JSON; returns every problem (empty when valid). */
export function validateThresholdData(file: string, data: unknown, check?: ExpressionCheck): string[] {
  const validate = validator();
  if (!validate(data)) return formatSchemaErrors(file, validate.errors ?? [], data);
  if (!check) return [];
  const problems: string[] = [];
  const { thresholds } = data as { thresholds: ThresholdFile['thresholds'] };
  for (const [metric, list] of Object.entries(thresholds)) {
    list.forEach((item, i) => {
      const expr = typeof item === 'string' ? item : item.threshold;
      const pointer = `/thresholds/${metric.replace(/~/g, '~0').replace(/\//g, '~1')}/${i}`;
      const error = check(expr, metric);
      if (error)
        problems.push(`${file}: ${pointer}${typeof item === 'string' ? '' : '/threshold'}: "${expr}": ${error}`);
    });
  }
  return problems;
}

/** Reads, validates and returns a threshold file; throws RunConfigError (exit 104) listing every problem. */
export function loadThresholdFile(path: string, check?: ExpressionCheck): ThresholdFile {
  const file = displayName(resolve(path));
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > MAX_THRESHOLD_FILE_BYTES) {
      throw new RunConfigError([
        `${file}: ${size} bytes; a threshold file may have at most ${MAX_THRESHOLD_FILE_BYTES} bytes (1 MiB)`,
      ]);
    }
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof RunConfigError) throw err;
    throw new RunConfigError([`${file}: cannot read the threshold file: ${messageOf(err)}`]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new RunConfigError([`${file}: not valid JSON: ${messageOf(err)}`]);
  }
  const problems = validateThresholdData(file, data, check);
  if (problems.length > 0) throw new RunConfigError(problems);
  const parsed = data as Omit<ThresholdFile, 'file' | 'run' | 'regression'> & Partial<ThresholdFile>;
  return {
    file,
    description: parsed.description,
    thresholds: parsed.thresholds,
    run: parsed.run ?? {},
    regression: parsed.regression ?? [],
    ...(parsed.capacity ? { capacity: parsed.capacity } : {}),
  };
}

/** The k6 `options.thresholds` object of the file (the shape `--config FILE` takes): the kit's own `allowEmpty` stays out. */
export function k6ThresholdOptions(file: ThresholdFile): Record<string, Array<string | ThresholdSpec>> {
  const out: Record<string, Array<string | ThresholdSpec>> = {};
  for (const [metric, list] of Object.entries(file.thresholds)) {
    out[metric] = list.map((item) => {
      if (typeof item === 'string') return item;
      const { allowEmpty: _kitOnly, ...k6 } = item;
      return k6;
    });
  }
  return out;
}
