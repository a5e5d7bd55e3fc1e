/**
 * k6's `--secret-source` flag (k6 v2.2.0, internal/cmd/root.go createSecretSources) and its
 * built-in sources. The flag's grammar, one flag per source:
 *
 *     --secret-source=<type>[=<config>]        config: comma-separated items
 *     items: `name=<name>` (default: the type), `default` (makes it the default source),
 *            and the type's own items:
 *       file  `<path>` or `filename=<path>`: key=value lines, read at start (a line without `=` fails)
 *       mock  `<key>=<value>` pairs: the secrets themselves
 *       url   `urlTemplate=<url with {key}>`, `method=`, `responsePath=` (a JSON path), `timeout=`,
 *             `maxRetries=`, `retryBackoff=`, `requestsPerMinuteLimit=`, `requestsBurst=`,
 *             `headers.<Name>=`, `config=<JSON file>`; under those, K6_SECRET_SOURCE_URL_* variables
 *
 * With exactly one source, it is also the default. k6 has no `env` source: `--secret-source=env`
 * fails at start as in k6 ("no secret source for type"). Every problem is returned at once.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { request } from 'undici';

export interface SecretSource {
  readonly description: string;
  get(key: string): Promise<string>;
}

export const DEFAULT_SOURCE = 'default';

/** k6's "no value" (a key the source does not have). */
class NoValueError extends Error {
  constructor() {
    super('no value');
  }
}

function fileSource(config: string, cwd: string): SecretSource {
  let filename = '';
  for (const kv of config.split(',')) {
    const eq = kv.indexOf('=');
    if (eq < 0) filename = kv;
    else if (kv.slice(0, eq) === 'filename') filename = kv.slice(eq + 1);
    else throw new Error(`unknown configuration key for file secret source "${kv.slice(0, eq)}"`);
  }
  const path = isAbsolute(filename) ? filename : resolve(cwd, filename);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(
      `open ${filename}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`,
    );
  }
  const values = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    const eq = line.indexOf('=');
    if (eq < 0) throw new Error(`parsing "${line}", needs =`);
    values.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return mapSource(`file source from ${filename}`, values);
}

function mockSource(config: string): SecretSource {
  const values = new Map<string, string>();
  for (const kv of config.split(',')) {
    const eq = kv.indexOf('=');
    if (eq < 0) throw new Error(`parsing "${kv}", needs =`);
    values.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  return mapSource('this is a mock secret source', values);
}

function mapSource(description: string, values: ReadonlyMap<string, string>): SecretSource {
  return {
    description,
    get: (key) => {
      const v = values.get(key);
      return v === undefined ? Promise.reject(new NoValueError()) : Promise.resolve(v);
    },
  };
}

interface UrlConfig {
  urlTemplate: string;
  method: string;
  headers: Record<string, string>;
  responsePath: string;
  timeoutMs: number;
  maxRetries: number;
  retryBackoffMs: number;
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
  else if (key === 'requestsPerMinuteLimit' || key === 'requestsBurst') intOption(value, key);
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
    ...fromEnv,
    ...fromFile,
    ...inline,
  };
  if (merged.urlTemplate === '') throw new Error('missing or invalid config: urlTemplate is required');
  if (!merged.urlTemplate.includes('{key}'))
    throw new Error('missing or invalid config: urlTemplate must contain {key} placeholder');
  if (!URL.canParse(merged.urlTemplate.replaceAll('{key}', 'test')))
    throw new Error('missing or invalid config: urlTemplate must be an absolute URL with a scheme (e.g., https://...)');
  return merged;
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

/**
 * k6's url source: GET (or `method`) the template with `{key}` replaced; 200 gives the body (or
 * the value at `responsePath`); 5xx, 429 and network errors are retried `maxRetries` times after
 * retryBackoff^attempt seconds plus up to 1 s of jitter; other statuses fail at once.
 * Not done: k6's request rate limiter (requestsPerMinuteLimit, requestsBurst are only validated).
 */
function urlSource(config: string, env: Readonly<Record<string, string>>, cwd: string): SecretSource {
  const cfg = urlConfig(config, env, cwd);
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
      let last: Error | undefined;
      for (let attempt = 0; attempt <= cfg.maxRetries; attempt++) {
        if (attempt > 0) {
          const wait = Math.trunc(Math.pow(cfg.retryBackoffMs / 1000, attempt)) * 1000 + Math.random() * 1000;
          await new Promise((r) => setTimeout(r, wait));
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

const TYPES: Record<string, (config: string, env: Readonly<Record<string, string>>, cwd: string) => SecretSource> = {
  file: (config, _env, cwd) => fileSource(config, cwd),
  mock: (config) => mockSource(config),
  url: urlSource,
};

/** `name=` and `default` items out of a source's config (k6's extractNameAndDefault). */
function nameAndDefault(config: string): { name: string; isDefault: boolean; rest: string } {
  let name = '';
  let isDefault = false;
  const rest: string[] = [];
  for (const kv of config.split(',')) {
    if (kv === 'default') isDefault = true;
    else if (kv.startsWith('name=')) name = kv.slice('name='.length);
    else rest.push(kv);
  }
  return { name, isDefault, rest: rest.join(',') };
}

/**
 * Builds the sources of the `--secret-source` flags (files read now). Returns the sources by
 * name (the default one under "default" too) and every problem, each naming its flag.
 */
export function makeSecretSources(
  lines: readonly string[],
  env: Readonly<Record<string, string>>,
  cwd: string,
): { sources: Map<string, SecretSource>; problems: string[] } {
  const sources = new Map<string, SecretSource>();
  const problems: string[] = [];
  let defaults = 0;
  for (const line of lines) {
    const flag = `--secret-source=${line}`;
    const eq = line.indexOf('=');
    const type = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (type === '') {
      problems.push(`${flag}: couldn't parse secret source configuration "${line}"`);
      continue;
    }
    const make = TYPES[type];
    if (!make) {
      problems.push(`${flag}: no secret source for type "${type}" (the engine has: ${Object.keys(TYPES).join(', ')})`);
      continue;
    }
    const { name, isDefault, rest } = nameAndDefault(eq < 0 ? '' : line.slice(eq + 1));
    const key = name || type;
    try {
      const source = make(rest, env, cwd);
      if (sources.has(key)) problems.push(`${flag}: secret source for name "${key}" already registered`);
      sources.set(key, source);
      if (isDefault) {
        if (defaults++ > 0) problems.push(`${flag}: can't have two secret sources that are default ones`);
        sources.set(DEFAULT_SOURCE, source);
      }
    } catch (err) {
      problems.push(`${flag}: ${(err as Error).message}`);
    }
  }
  if (sources.size === 1) sources.set(DEFAULT_SOURCE, [...sources.values()][0]!);
  return { sources, problems };
}
