/**
 * The stub's configuration: latency model, output length, error rates, limits.
 * `validateConfig` returns every problem at once, each naming its JSON path; a file
 * given by path is read, checked against `config.schema.json` (which it may name in
 * `$schema`) and reported by name (exit 104 on the CLI).
 */
import { readFileSync } from 'node:fs';
import { KitError, ExitCode } from '../engine/exit-codes.ts';
import { configSchemaProblems } from './config-schema.ts';

/**
 * A non-negative quantity drawn by the seeded generator (milliseconds or tokens).
 * A bare number means `{ type: 'fixed', value }`. Normal draws are clamped at 0.
 * Lognormal is given by its median and 95th percentile (p95 >= median).
 */
export type Distribution =
  | number
  | { type: 'fixed'; value: number }
  | { type: 'uniform'; min: number; max: number }
  | { type: 'normal'; mean: number; stddev: number }
  | { type: 'lognormal'; median: number; p95: number };

export interface LatencyConfig {
  /** Time to first token, ms (from admission to the first text token). */
  ttftMs: Distribution;
  /** Inter-token latency, ms, drawn per token. */
  itlMs: Distribution;
  /** Extra time to first token per input token, ms (prefill cost). */
  prefillMsPerInputToken: number;
  /** Requests generating at once; more wait in a FIFO queue. 0 = no cap. */
  maxConcurrency: number;
}

export interface OutputConfig {
  /** Output length in tokens before `max_tokens` caps it (stop_reason max_tokens when capped). */
  tokens: Distribution;
  /** max_tokens used when an OpenAI request gives none. */
  defaultMaxTokens: number;
}

/** Probabilities per request, each in [0, 1], summing to at most 1. Ignored in performance mode. */
export interface ErrorsConfig {
  /** 429 rate_limit_error with a retry-after header. */
  rateLimit: number;
  /** Seconds in the retry-after header of a 429. */
  retryAfterSeconds: number;
  /** 500 api_error / server_error. */
  serverError: number;
  /** 529 overloaded_error (Anthropic) / 503 (OpenAI). */
  overloaded: number;
  /** Never answer; the socket stays open until the client gives up. */
  hang: number;
  /** Streaming only: an error event after some tokens, then the stream ends. */
  midStreamError: number;
  /** Destroy the connection without a response (mid-stream when streaming). */
  disconnect: number;
}

export interface MockLlmConfig {
  latency: LatencyConfig;
  output: OutputConfig;
  errors: ErrorsConfig;
  /** Model ids listed by GET /v1/models (any model id is accepted in requests). */
  models: string[];
  /** Largest request body accepted, bytes; larger → 413. */
  maxBodyBytes: number;
}

/** A partial config: any subset of the fields, merged onto the defaults (or the running config). */
export type MockLlmConfigPatch = {
  [K in keyof MockLlmConfig]?: MockLlmConfig[K] extends unknown[] ? MockLlmConfig[K] : Partial<MockLlmConfig[K]>;
};

export const ERROR_KINDS = ['rateLimit', 'serverError', 'overloaded', 'hang', 'midStreamError', 'disconnect'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export function defaultConfig(): MockLlmConfig {
  return {
    latency: { ttftMs: 20, itlMs: 2, prefillMsPerInputToken: 0, maxConcurrency: 0 },
    output: { tokens: { type: 'uniform', min: 16, max: 64 }, defaultMaxTokens: 4096 },
    errors: {
      rateLimit: 0.02,
      retryAfterSeconds: 1,
      serverError: 0.01,
      overloaded: 0.01,
      hang: 0,
      midStreamError: 0.01,
      disconnect: 0.005,
    },
    models: ['claude-sonnet-4-5', 'claude-haiku-4-5', 'gpt-4o-mini', 'mock-llm'],
    maxBodyBytes: 1024 * 1024,
  };
}

export class MockLlmConfigError extends KitError {
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super('MOCK_LLM_BAD_CONFIG', `${source}: ${problems.join('; ')}`, ExitCode.INVALID_CONFIG);
    this.name = 'MockLlmConfigError';
    this.problems = problems;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function checkNonNeg(v: unknown, path: string, out: string[]): void {
  if (!isNum(v) || v < 0) out.push(`${path}: expected a number >= 0, got ${JSON.stringify(v)}`);
}

export function validateDistribution(d: unknown, path: string, out: string[]): void {
  if (typeof d === 'number') return checkNonNeg(d, path, out);
  if (!isObject(d)) {
    out.push(`${path}: expected a number or {type: fixed|uniform|normal|lognormal, ...}, got ${JSON.stringify(d)}`);
    return;
  }
  const fields: Record<string, string[]> = {
    fixed: ['value'],
    uniform: ['min', 'max'],
    normal: ['mean', 'stddev'],
    lognormal: ['median', 'p95'],
  };
  const wanted = fields[String(d.type)];
  if (!wanted) {
    out.push(`${path}.type: expected one of fixed, uniform, normal, lognormal, got ${JSON.stringify(d.type)}`);
    return;
  }
  for (const f of wanted) checkNonNeg(d[f], `${path}.${f}`, out);
  for (const key of Object.keys(d)) {
    if (key !== 'type' && !wanted.includes(key)) out.push(`${path}.${key}: unknown field for type ${String(d.type)}`);
  }
  if (d.type === 'uniform' && isNum(d.min) && isNum(d.max) && d.max < d.min) out.push(`${path}.max: must be >= min`);
  if (d.type === 'lognormal' && isNum(d.median) && isNum(d.p95)) {
    if (d.median <= 0) out.push(`${path}.median: must be > 0`);
    if (d.p95 < d.median) out.push(`${path}.p95: must be >= median`);
  }
}

function unknownKeys(obj: Record<string, unknown>, known: object, path: string, out: string[]): void {
  for (const key of Object.keys(obj)) if (!(key in known)) out.push(`${path}${key}: unknown field`);
}

/** Every problem of a full config, each as "json.path: what was expected". */
export function validateConfig(c: unknown): string[] {
  const out: string[] = [];
  const ref = defaultConfig();
  if (!isObject(c)) return ['(root): expected an object'];
  unknownKeys(c, ref, '', out);
  const { latency, output, errors } = c as Record<string, Record<string, unknown>>;
  if (!isObject(latency)) out.push('latency: expected an object');
  else {
    unknownKeys(latency, ref.latency, 'latency.', out);
    validateDistribution(latency.ttftMs, 'latency.ttftMs', out);
    validateDistribution(latency.itlMs, 'latency.itlMs', out);
    checkNonNeg(latency.prefillMsPerInputToken, 'latency.prefillMsPerInputToken', out);
    if (!Number.isInteger(latency.maxConcurrency) || (latency.maxConcurrency as number) < 0) {
      out.push(
        `latency.maxConcurrency: expected an integer >= 0 (0 = no cap), got ${JSON.stringify(latency.maxConcurrency)}`,
      );
    }
  }
  if (!isObject(output)) out.push('output: expected an object');
  else {
    unknownKeys(output, ref.output, 'output.', out);
    validateDistribution(output.tokens, 'output.tokens', out);
    if (!Number.isInteger(output.defaultMaxTokens) || (output.defaultMaxTokens as number) < 1) {
      out.push(`output.defaultMaxTokens: expected an integer >= 1, got ${JSON.stringify(output.defaultMaxTokens)}`);
    }
  }
  if (!isObject(errors)) out.push('errors: expected an object');
  else validateErrors(errors, ref, out);
  const models = (c as Record<string, unknown>).models;
  if (!Array.isArray(models) || models.length === 0 || !models.every((m) => typeof m === 'string' && m.length > 0)) {
    out.push('models: expected a non-empty array of model id strings');
  }
  const maxBody = (c as Record<string, unknown>).maxBodyBytes;
  if (!Number.isInteger(maxBody) || (maxBody as number) < 1)
    out.push(`maxBodyBytes: expected an integer >= 1, got ${JSON.stringify(maxBody)}`);
  return out;
}

function validateErrors(errors: Record<string, unknown>, ref: MockLlmConfig, out: string[]): void {
  unknownKeys(errors, ref.errors, 'errors.', out);
  let sum = 0;
  for (const kind of ERROR_KINDS) {
    const v = errors[kind];
    if (!isNum(v) || v < 0 || v > 1)
      out.push(`errors.${kind}: expected a probability in [0, 1], got ${JSON.stringify(v)}`);
    else sum += v;
  }
  if (sum > 1 + 1e-9) out.push(`errors: the rates sum to ${sum}, expected at most 1`);
  checkNonNeg(errors.retryAfterSeconds, 'errors.retryAfterSeconds', out);
}

/** Merges a patch onto a base config (one level deep per section; arrays replace). */
export function mergeConfig(base: MockLlmConfig, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = merged[key];
    merged[key] = isObject(current) && isObject(value) ? { ...current, ...value } : value;
  }
  return merged;
}

/** Resolves a patch or a JSON file path onto the defaults; throws MockLlmConfigError naming the source. */
export function resolveConfig(input: MockLlmConfigPatch | string | undefined, base = defaultConfig()): MockLlmConfig {
  let patch: unknown = input ?? {};
  let source = 'mock-llm config';
  if (typeof input === 'string') {
    source = input;
    let text: string;
    try {
      text = readFileSync(input, 'utf8');
    } catch (err) {
      throw new MockLlmConfigError(source, [`cannot read the file (${(err as Error).message})`]);
    }
    try {
      patch = JSON.parse(text);
    } catch (err) {
      throw new MockLlmConfigError(source, [`(root): invalid JSON (${(err as Error).message})`]);
    }
    const schemaProblems = configSchemaProblems(patch);
    if (schemaProblems.length > 0) throw new MockLlmConfigError(source, schemaProblems);
    const { $schema: _schemaRef, ...rest } = patch as Record<string, unknown>; // editors' schema reference, not a setting
    patch = rest;
  }
  const merged = mergeConfig(base, patch);
  const problems = validateConfig(merged);
  if (problems.length > 0) throw new MockLlmConfigError(source, problems);
  return merged as MockLlmConfig;
}
