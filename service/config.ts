/**
 * Target configuration: the typed object `startTarget` takes, its defaults and its
 * validation, and the environment mapping used by the CLI (`loadConfigFromEnv`) and by
 * `spawnTarget` (`configToEnv`, its inverse). Every error names the variable.
 */
import { DEFAULT_QUEUE_GROUP, DEFAULT_QUEUE_KEY, DEFAULT_TOPIC, ROLES, type Role } from './constants.ts';
import { TargetConfigError } from './errors.ts';

export interface TargetConfig {
  redisUrl: string;
  databaseUrl: string;
  /** Kafka bootstrap brokers; may be empty only when the relay role is off. */
  kafkaBrokers: string[];
  /** Base URL of an Anthropic-compatible provider (`/v1/messages` is appended). */
  llmUrl: string;
  /** HTTP port; 0 picks a free one. */
  port?: number;
  host?: string;
  roles?: Role[];
  workerConcurrency?: number;
  batchMax?: number;
  bodyLimitBytes?: number;
  llmTimeoutMs?: number;
  llmMaxRetries?: number;
  llmBackoffBaseMs?: number;
  llmBackoffMaxMs?: number;
  llmModel?: string;
  /** Sent as `x-api-key`; never logged. */
  llmApiKey?: string;
  kafkaTopic?: string;
  kafkaPartitions?: number;
  queueKey?: string;
  queueGroup?: string;
  /** A delivered job not acknowledged (nor heartbeated) for this long is reclaimed by another worker. */
  visibilityTimeoutMs?: number;
  /** Deliveries of one request before it is failed as poison. */
  maxDeliveries?: number;
  /** Requests still queued this long after creation (or their last requeue) are put on the queue again; 0 = off. */
  requeueStaleMs?: number;
  relayBatchSize?: number;
  relayPollMs?: number;
  shutdownTimeoutMs?: number;
  /** Test hook: the relay SIGKILLs its own process after the broker ack, before marking published. */
  relayCrashAfterPublish?: boolean;
  /** Test hook: the worker SIGKILLs its own process after the LLM answered, before the commit. */
  workerCrashAfterLlm?: boolean;
}

export type ResolvedConfig = Required<Omit<TargetConfig, 'llmApiKey'>> & { llmApiKey?: string };

const DEFAULTS = {
  port: 0,
  host: '127.0.0.1',
  roles: [...ROLES] as Role[],
  workerConcurrency: 16,
  batchMax: 100,
  bodyLimitBytes: 1024 * 1024,
  llmTimeoutMs: 30_000,
  llmMaxRetries: 3,
  llmBackoffBaseMs: 200,
  llmBackoffMaxMs: 10_000,
  llmModel: 'claude-sonnet-4-5',
  kafkaTopic: DEFAULT_TOPIC,
  kafkaPartitions: 3,
  queueKey: DEFAULT_QUEUE_KEY,
  queueGroup: DEFAULT_QUEUE_GROUP,
  visibilityTimeoutMs: 60_000,
  maxDeliveries: 5,
  requeueStaleMs: 300_000,
  relayBatchSize: 200,
  relayPollMs: 50,
  shutdownTimeoutMs: 10_000,
  relayCrashAfterPublish: false,
  workerCrashAfterLlm: false,
  kafkaBrokers: [] as string[],
};

/** Each env variable, the config key it sets and how it parses. */
const ENV_MAP: Array<[string, keyof TargetConfig, 'string' | 'int' | 'list' | 'bool' | 'roles']> = [
  ['REDIS_URL', 'redisUrl', 'string'],
  ['DATABASE_URL', 'databaseUrl', 'string'],
  ['KAFKA_BROKERS', 'kafkaBrokers', 'list'],
  ['LLM_URL', 'llmUrl', 'string'],
  ['PORT', 'port', 'int'],
  ['HOST', 'host', 'string'],
  ['TARGET_ROLES', 'roles', 'roles'],
  ['WORKER_CONCURRENCY', 'workerConcurrency', 'int'],
  ['BATCH_MAX', 'batchMax', 'int'],
  ['BODY_LIMIT_BYTES', 'bodyLimitBytes', 'int'],
  ['LLM_TIMEOUT_MS', 'llmTimeoutMs', 'int'],
  ['LLM_MAX_RETRIES', 'llmMaxRetries', 'int'],
  ['LLM_BACKOFF_BASE_MS', 'llmBackoffBaseMs', 'int'],
  ['LLM_BACKOFF_MAX_MS', 'llmBackoffMaxMs', 'int'],
  ['LLM_MODEL', 'llmModel', 'string'],
  ['LLM_API_KEY', 'llmApiKey', 'string'],
  ['KAFKA_TOPIC', 'kafkaTopic', 'string'],
  ['KAFKA_PARTITIONS', 'kafkaPartitions', 'int'],
  ['QUEUE_KEY', 'queueKey', 'string'],
  ['QUEUE_GROUP', 'queueGroup', 'string'],
  ['VISIBILITY_TIMEOUT_MS', 'visibilityTimeoutMs', 'int'],
  ['MAX_DELIVERIES', 'maxDeliveries', 'int'],
  ['REQUEUE_STALE_MS', 'requeueStaleMs', 'int'],
  ['RELAY_BATCH_SIZE', 'relayBatchSize', 'int'],
  ['RELAY_POLL_MS', 'relayPollMs', 'int'],
  ['SHUTDOWN_TIMEOUT_MS', 'shutdownTimeoutMs', 'int'],
  ['RELAY_CRASH_AFTER_PUBLISH', 'relayCrashAfterPublish', 'bool'],
  ['WORKER_CRASH_AFTER_LLM', 'workerCrashAfterLlm', 'bool'],
];

function parseValue(name: string, raw: string, kind: string): unknown {
  if (kind === 'string') return raw;
  if (kind === 'list')
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (kind === 'bool') {
    if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no', ''].includes(raw.toLowerCase())) return false;
    throw new TargetConfigError(name, `expected 1/0/true/false, got ${JSON.stringify(raw)}`);
  }
  if (kind === 'roles')
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (!/^\d+$/.test(raw.trim()))
    throw new TargetConfigError(name, `expected a non-negative integer, got ${JSON.stringify(raw)}`);
  return Number(raw.trim());
}

/** Every environment variable the target reads. */
export const TARGET_ENV_NAMES: readonly string[] = [...ENV_MAP.map(([name]) => name), 'ANTHROPIC_API_KEY'];

/** Reads the configuration from environment variables (names in docs/service.md); errors name the variable. */
export function loadConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  const partial: Record<string, unknown> = {};
  for (const [name, key, kind] of ENV_MAP) {
    const raw = env[name];
    if (raw === undefined || (raw === '' && kind !== 'bool')) continue;
    partial[key] = parseValue(name, raw, kind);
  }
  // Also accept the provider's own variable for the key, passed untouched.
  if (partial.llmApiKey === undefined && env.ANTHROPIC_API_KEY) partial.llmApiKey = env.ANTHROPIC_API_KEY;
  return resolveConfig(partial as unknown as TargetConfig, envName);
}

/** The inverse of loadConfigFromEnv, for child processes. */
export function configToEnv(config: TargetConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, key] of ENV_MAP) {
    const value = config[key];
    if (value === undefined) continue;
    if (Array.isArray(value)) out[name] = value.join(',');
    else if (typeof value === 'boolean') out[name] = value ? '1' : '0';
    else out[name] = String(value);
  }
  return out;
}

function envName(key: keyof TargetConfig): string {
  return ENV_MAP.find(([, k]) => k === key)?.[0] ?? key;
}

function optionName(key: keyof TargetConfig): string {
  return key;
}

function checkUrl(name: string, value: unknown, protocols: string[]): void {
  if (typeof value !== 'string' || value === '') throw new TargetConfigError(name, 'is required');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TargetConfigError(name, `expected a URL, got ${JSON.stringify(value)}`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new TargetConfigError(name, `expected a ${protocols.join(' or ')} URL, got ${url.protocol}`);
  }
}

const INT_RANGES: Partial<Record<keyof TargetConfig, [number, number]>> = {
  port: [0, 65535],
  workerConcurrency: [1, 10_000],
  batchMax: [1, 10_000],
  bodyLimitBytes: [1024, 100 * 1024 * 1024],
  llmTimeoutMs: [1, 3_600_000],
  llmMaxRetries: [0, 100],
  llmBackoffBaseMs: [0, 600_000],
  llmBackoffMaxMs: [0, 3_600_000],
  kafkaPartitions: [1, 1000],
  visibilityTimeoutMs: [100, 86_400_000],
  maxDeliveries: [1, 1000],
  requeueStaleMs: [0, 86_400_000],
  relayBatchSize: [1, 10_000],
  relayPollMs: [1, 60_000],
  shutdownTimeoutMs: [0, 3_600_000],
};

/** Applies the defaults and validates every field; `name` maps a key to how the user spelled it. */
export function resolveConfig(
  config: TargetConfig,
  name: (key: keyof TargetConfig) => string = optionName,
): ResolvedConfig {
  const c = { ...DEFAULTS, ...stripUndefined(config) } as ResolvedConfig;
  checkUrl(name('redisUrl'), c.redisUrl, ['redis:', 'rediss:']);
  checkUrl(name('databaseUrl'), c.databaseUrl, ['postgres:', 'postgresql:']);
  checkUrl(name('llmUrl'), c.llmUrl, ['http:', 'https:']);
  for (const [key, [min, max]] of Object.entries(INT_RANGES) as Array<[keyof TargetConfig, [number, number]]>) {
    const v = c[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new TargetConfigError(name(key), `expected an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
    }
  }
  if (!Array.isArray(c.roles) || c.roles.length === 0 || c.roles.some((r) => !ROLES.includes(r))) {
    throw new TargetConfigError(
      name('roles'),
      `expected a non-empty list of ${ROLES.join(', ')}, got ${JSON.stringify(c.roles)}`,
    );
  }
  if (!Array.isArray(c.kafkaBrokers) || c.kafkaBrokers.some((b) => !/^[^\s:]+:\d+$/.test(b))) {
    throw new TargetConfigError(
      name('kafkaBrokers'),
      `expected host:port entries, got ${JSON.stringify(c.kafkaBrokers)}`,
    );
  }
  if (c.roles.includes('relay') && c.kafkaBrokers.length === 0) {
    throw new TargetConfigError(
      name('kafkaBrokers'),
      'is required when the relay role is on (set TARGET_ROLES=api,worker to run without Kafka)',
    );
  }
  for (const key of ['kafkaTopic', 'llmModel', 'queueKey', 'queueGroup', 'host'] as const) {
    if (typeof c[key] !== 'string' || c[key] === '')
      throw new TargetConfigError(name(key), 'expected a non-empty string');
  }
  return c;
}

function stripUndefined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
