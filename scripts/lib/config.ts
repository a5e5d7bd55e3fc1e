/**
 * What every scenario reads from `__ENV`: the endpoints the orchestrator hands over, the
 * overrides (RATE, DURATION, VUS) and PROFILE=short, which shrinks every phase so a
 * scenario finishes in about 20 s (the test suite's mode).
 */

/** True when PROFILE=short: every phase is cut to a few seconds. */
export const SHORT = (__ENV.PROFILE ?? '').toLowerCase() === 'short';

/** An endpoint the scenario cannot run without; a missing one fails at init with its name. */
export function requireEnv(name: string, example: string): string {
  const value = __ENV[name];
  if (!value) throw new Error(`${name} is not set: pass -e ${name}=${example} (k6-llm-perf run sets it for you)`);
  return value;
}

export function optionalEnv(name: string, fallback: string): string {
  const value = __ENV[name];
  return value ? value : fallback;
}

/** A positive number from the environment (RATE, VUS, BATCH_SIZE...), or the default; `allowZero` for pauses. */
export function numberEnv(name: string, fallback: number, allowZero = false): number {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !allowZero)) {
    throw new Error(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got "${raw}"`);
  }
  return n;
}

/** The k6 duration for a phase: DURATION overrides `full`; PROFILE=short uses `short`. */
export function phase(full: string, short: string, override = 'DURATION'): string {
  const raw = __ENV[override];
  if (raw) {
    if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(raw))
      throw new Error(`${override} must be a k6 duration such as 30s or 10m, got "${raw}"`);
    return raw;
  }
  return SHORT ? short : full;
}

/** A k6 duration string in milliseconds ("1m30s" -> 90000). */
export function durationMs(d: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  for (let m = re.exec(d); m; m = re.exec(d)) total += Number(m[1]) * units[m[2]!]!;
  return total;
}

/** The target service (ours or the user's `--target URL`), without a trailing slash. */
export const baseUrl = (): string => requireEnv('BASE_URL', 'http://127.0.0.1:8080').replace(/\/+$/, '');
/** The LLM stub (or a real provider for end-to-end runs), without a trailing slash. */
export const llmUrl = (): string => requireEnv('LLM_URL', 'http://127.0.0.1:9090').replace(/\/+$/, '');
export const redisUrl = (): string => requireEnv('REDIS_URL', 'redis://127.0.0.1:6379');
export const databaseUrl = (): string => requireEnv('DATABASE_URL', 'postgres://user:pass@127.0.0.1:5432/db');
export const kafkaBrokers = (): string[] =>
  requireEnv('KAFKA_BROKERS', '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
export const kafkaTopic = (): string => optionalEnv('KAFKA_TOPIC', 'llm.requests.events');
