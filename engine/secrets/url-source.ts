/**
 * k6's `url` secret source (k6 v2.2.0, internal/secretsource/url): GET (or `method`) the template
 * with `{key}` replaced; 200 gives the body (or the string at `responsePath`). Its options, inline
 * (`urlTemplate=`, `method=`, `responsePath=`, `timeout=`, `maxRetries=`, `retryBackoff=`,
 * `requestsPerMinuteLimit=`, `requestsBurst=`, `headers.<Name>=`, `config=<JSON file>`) over
 * K6_SECRET_SOURCE_URL_* variables over k6's defaults (300 requests a minute, bursts of 10, 30 s,
 * 3 retries, 1 s backoff), each validated as k6 validates it.
 *
 * Every get() first takes a token of the source's rate limiter (shared.ts: one per source for the
 * whole run, as k6 has one per process) and waits for it when the bucket is empty, as k6 does.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { request } from 'undici';
import type { SharedSecrets } from './shared.ts';
import type { SecretSource } from './types.ts';

interface UrlConfig {
  urlTemplate: string;
  method: string;
  headers: Record<string, string>;
  responsePath: string;
  timeoutMs: number;
  maxRetries: number;
  retryBackoffMs: number;
  requestsPerMinuteLimit: number;
  requestsBurst: number;
}

const GO_DURATION = /^(?:(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h))+$/;
const UNIT: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
function durationMs(value: string, option: string): number {
  if (!GO_DURATION.test(value)) throw new Error(`invalid ${option}: time: invalid duration "${value}"`);
  return [...value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)].reduce(
    (s, m) => s + Number(m[1]) * UNIT[m[2]!]!,
    0,
  );
}
function intOption(value: string, option: string): number {
  const n = Number.parseInt(value, 10);
  if (!Number.isFinite(n)) throw new Error(`invalid ${option}: expected integer`);
  return n;
}

/** One option of the url source (inline `key=value` or a JSON config file's field). */
function setUrlOption(cfg: Partial<UrlConfig>, key: string, value: string): void {
  if (key === 'urlTemplate') cfg.urlTemplate = value;
  else if (key === 'method') cfg.method = value;
  else if (key === 'responsePath') cfg.responsePath = value;
  else if (key === 'timeout') cfg.timeoutMs = durationMs(value, 'timeout');
  else if (key === 'maxRetries') cfg.maxRetries = intOption(value, 'maxRetries');
  else if (key === 'retryBackoff') cfg.retryBackoffMs = durationMs(value, 'retryBackoff');
  else if (key === 'requestsPerMinuteLimit') cfg.requestsPerMinuteLimit = intOption(value, key);
  else if (key === 'requestsBurst') cfg.requestsBurst = intOption(value, key);
  else if (key.startsWith('headers.')) cfg.headers = { ...cfg.headers, [key.slice('headers.'.length)]: value };
  else throw new Error(`unknown configuration key: "${key}"`);
}

const URL_ENV: Record<string, string> = {
  K6_SECRET_SOURCE_URL_URL_TEMPLATE: 'urlTemplate',
  K6_SECRET_SOURCE_URL_METHOD: 'method',
  K6_SECRET_SOURCE_URL_RESPONSE_PATH: 'responsePath',
  K6_SECRET_SOURCE_URL_TIMEOUT: 'timeout',
  K6_SECRET_SOURCE_URL_MAX_RETRIES: 'maxRetries',
  K6_SECRET_SOURCE_URL_RETRY_BACKOFF: 'retryBackoff',
  K6_SECRET_SOURCE_URL_REQUESTS_PER_MINUTE_LIMIT: 'requestsPerMinuteLimit',
  K6_SECRET_SOURCE_URL_REQUESTS_BURST: 'requestsBurst',
};

/** Defaults < K6_SECRET_SOURCE_URL_* < config=<file> < inline items, as k6 applies them. */
function urlConfig(config: string, env: Readonly<Record<string, string>>, cwd: string): UrlConfig {
  const fromEnv: Partial<UrlConfig> = {};
  for (const [k, v] of Object.entries(env)) {
    if (!v) continue;
    if (URL_ENV[k]) setUrlOption(fromEnv, URL_ENV[k]!, v);
    else if (k.startsWith('K6_SECRET_SOURCE_URL_HEADER_'))
      fromEnv.headers = { ...fromEnv.headers, [k.slice('K6_SECRET_SOURCE_URL_HEADER_'.length)]: v };
  }
  const fromFile: Partial<UrlConfig> = {};
  const inline: Partial<UrlConfig> = {};
  if (config !== '') {
    for (const part of config.split(',')) {
      const eq = part.indexOf('=');
      if (eq < 0) throw new Error(`invalid config format "${part}", expected key=value`);
      const [key, value] = [part.slice(0, eq), part.slice(eq + 1)];
      if (key !== 'config') {
        setUrlOption(inline, key, value);
        continue;
      }
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(readFileSync(resolve(cwd, value), 'utf8')) as Record<string, unknown>;
      } catch (err) {
        throw new Error(`failed to read config file: ${(err as Error).message}`);
      }
      for (const [k, v] of Object.entries(json)) {
        if (k === 'headers' && v && typeof v === 'object') fromFile.headers = v as Record<string, string>;
        else if (typeof v === 'string' || typeof v === 'number') setUrlOption(fromFile, k, String(v));
      }
    }
  }
  const merged: UrlConfig = {
    urlTemplate: '',
    method: 'GET',
    headers: {},
    responsePath: '',
    timeoutMs: 30_000,
    maxRetries: 3,
    retryBackoffMs: 1000,
    requestsPerMinuteLimit: 300,
    requestsBurst: 10,
    ...fromEnv,
    ...fromFile,
    ...inline,
  };
  validate(merged);
  return merged;
}

/** k6's validateConfig: the first problem, in k6's order and words. */
function validate(c: UrlConfig): void {
  if (c.urlTemplate === '') throw new Error('urlTemplate is required');
  if (!c.urlTemplate.includes('{key}')) throw new Error('urlTemplate must contain {key} placeholder');
  if (!URL.canParse(c.urlTemplate.replaceAll('{key}', 'test')))
    throw new Error('urlTemplate must be an absolute URL with a scheme (e.g., https://...)');
  if (c.timeoutMs <= 0) throw new Error('timeout must be greater than 0');
  if (c.requestsPerMinuteLimit <= 0) throw new Error('requestsPerMinuteLimit must be greater than 0');
  if (c.requestsBurst <= 0) throw new Error('requestsBurst must be greater than 0');
  if (c.maxRetries < 0) throw new Error('maxRetries must be non-negative');
  if (c.retryBackoffMs <= 0) throw new Error('retryBackoff must be greater than 0');
}

/** A dot path into JSON (`data.value`, `items.0.secret`): the subset of gjson paths k6's docs use. */
function atPath(body: string, path: string): string {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    throw new Error(`failed to extract secret: path "${path}" not found in response`);
  }
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object' || !(part in (v as object)))
      throw new Error(`failed to extract secret: path "${path}" not found in response`);
    v = (v as Record<string, unknown>)[part];
  }
  if (typeof v !== 'string')
    throw new Error(`failed to extract secret: secret value at path "${path}" is not a string`);
  return v;
}

const MAX_SECRET_BYTES = 24 * 1024;

/** Where a url source takes its rate limiter's tokens: slot `slot` of the run's shared state. */
export interface UrlSourceContext {
  readonly shared: SharedSecrets;
  readonly slot: number;
}

/**
 * The source: a get() waits for a token of the rate limiter (requestsPerMinuteLimit a minute,
 * bursts of requestsBurst; one token per get(), retries included, as in k6), then asks; 5xx, 429
 * and network errors are retried `maxRetries` times after retryBackoff^attempt seconds plus up to
 * 1 s of jitter; other statuses fail at once. Config problems throw "missing or invalid config: ...".
 */
export function urlSource(
  config: string,
  env: Readonly<Record<string, string>>,
  cwd: string,
  limiter: UrlSourceContext,
): SecretSource {
  let cfg: UrlConfig;
  try {
    cfg = urlConfig(config, env, cwd);
  } catch (err) {
    throw new Error(`missing or invalid config: ${(err as Error).message}`);
  }
  const intervalMs = 60_000 / cfg.requestsPerMinuteLimit;
  const once = async (key: string): Promise<{ value?: string; error?: Error; retry: boolean }> => {
    try {
      const res = await request(cfg.urlTemplate.replaceAll('{key}', key), {
        method: cfg.method as 'GET',
        headers: cfg.headers,
        headersTimeout: cfg.timeoutMs,
        bodyTimeout: cfg.timeoutMs,
      });
      const body = await res.body.text();
      if (res.statusCode !== 200) {
        const retry = res.statusCode >= 500 || res.statusCode === 429;
        return { error: new Error(`status code ${res.statusCode}: failed to get secret`), retry };
      }
      if (Buffer.byteLength(body) > MAX_SECRET_BYTES)
        return { error: new Error(`secret response exceeds maximum size of ${MAX_SECRET_BYTES} bytes`), retry: false };
      if (cfg.responsePath === '') return { value: body, retry: false };
      return { value: atPath(body, cfg.responsePath), retry: false };
    } catch (err) {
      const e = err as Error;
      return e.message.startsWith('failed to extract')
        ? { error: e, retry: false }
        : { error: new Error(`failed to get secret: ${e.message}`), retry: true };
    }
  };
  return {
    description: 'URL-based secret source',
    async get(key) {
      const wait = limiter.shared.reserve(limiter.slot, intervalMs, cfg.requestsBurst);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      let last: Error | undefined;
      for (let attempt = 0; attempt <= cfg.maxRetries; attempt++) {
        if (attempt > 0) {
          const backoff = Math.trunc(Math.pow(cfg.retryBackoffMs / 1000, attempt)) * 1000 + Math.random() * 1000;
          await new Promise((r) => setTimeout(r, backoff));
        }
        const r = await once(key);
        if (r.value !== undefined) return r.value;
        last = r.error;
        if (!r.retry) break;
      }
      throw last ?? new Error('failed to get secret');
    },
  };
}
