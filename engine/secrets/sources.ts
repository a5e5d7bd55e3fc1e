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
 * fails at start as in k6 ("no secret source for type"). Every problem is returned at once, each
 * naming its flag with the secrets in it (mock values, url headers) shown as `***`.
 *
 * Exit codes, as k6 v2.2.0's: a bad flag is an error k6 gives no code of its own (exit 255),
 * except `cloud`, which k6 refuses as invalid configuration (104).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import { ExitCode, KitError } from '../exit-codes.ts';
import { MAX_LIMITERS, SharedSecrets } from './shared.ts';
import type { SecretSource } from './types.ts';
import { urlSource } from './url-source.ts';

export type { SecretSource };

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

interface MakeContext {
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly shared: SharedSecrets;
  /** The flag's position: a url source's limiter slot. */
  readonly slot: number;
}

const TYPES: Record<string, (config: string, c: MakeContext) => SecretSource> = {
  file: (config, c) => fileSource(config, c.cwd),
  mock: (config) => mockSource(config),
  url: (config, c) => urlSource(config, c.env, c.cwd, { shared: c.shared, slot: c.slot }),
};

/** The flag as shown in messages: mock values and url headers (tokens) as `***`. */
export function shownFlag(line: string): string {
  const eq = line.indexOf('=');
  if (eq < 0) return `--secret-source=${line}`;
  const type = line.slice(0, eq);
  const items = line
    .slice(eq + 1)
    .split(',')
    .map((kv) => {
      const at = kv.indexOf('=');
      const k = kv.slice(0, at);
      const hide = at > 0 && k !== 'name' && (type === 'mock' || k.startsWith('headers.'));
      return hide ? `${k}=***` : kv;
    });
  return `--secret-source=${type}=${items.join(',')}`;
}

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
 * name (the default one under "default" too) and every problem, each naming its flag. `shared`:
 * the run's shared state (url sources' limiters); a private one when absent.
 */
export function makeSecretSources(
  lines: readonly string[],
  env: Readonly<Record<string, string>>,
  cwd: string,
  shared: SharedSecrets = SharedSecrets.create(),
): { sources: Map<string, SecretSource>; problems: string[] } {
  const sources = new Map<string, SecretSource>();
  const problems: string[] = [];
  let defaults = 0;
  if (lines.length > MAX_LIMITERS) problems.push(`--secret-source: at most ${MAX_LIMITERS} flags, got ${lines.length}`);
  lines.slice(0, MAX_LIMITERS).forEach((line, slot) => {
    const flag = shownFlag(line);
    const eq = line.indexOf('=');
    const type = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (type === '') return void problems.push(`${flag}: couldn't parse secret source configuration "${line}"`);
    const make = TYPES[type];
    if (!make) {
      const has = Object.keys(TYPES).join(', ');
      return void problems.push(`${flag}: no secret source for type "${type}" (the engine has: ${has})`);
    }
    const { name, isDefault, rest } = nameAndDefault(eq < 0 ? '' : line.slice(eq + 1));
    const key = name || type;
    try {
      const source = make(rest, { env, cwd, shared, slot });
      if (sources.has(key)) problems.push(`${flag}: secret source for name "${key}" already registered`);
      sources.set(key, source);
      if (isDefault) {
        if (defaults++ > 0) problems.push(`${flag}: can't have two secret sources that are default ones`);
        sources.set(DEFAULT_SOURCE, source);
      }
    } catch (err) {
      problems.push(`${flag}: ${(err as Error).message}`);
    }
  });
  if (sources.size === 1) sources.set(DEFAULT_SOURCE, [...sources.values()][0]!);
  return { sources, problems };
}

/** A `cloud` item: k6 manages that source itself (`k6 cloud run --local-execution`). */
const isCloud = (line: string): boolean => line.split('=')[0]!.trim() === 'cloud';

/**
 * The error `engine run` stops with, before it loads the script (k6 checks the flags first), or
 * null: the `cloud` type as k6 refuses it (exit 104), every other problem at once (exit 255).
 */
export function secretSourcesError(
  lines: readonly string[],
  env: Readonly<Record<string, string>>,
  cwd: string,
): KitError | null {
  if (lines.some(isCloud))
    return new ConfigError([
      "'cloud' is not a valid value for --secret-source; cloud secrets are automatically available for 'k6 cloud run --local-execution'",
    ]);
  const { problems } = makeSecretSources(lines, env, cwd);
  if (!problems.length) return null;
  return new KitError('E_ENGINE_SECRET_SOURCE', problems.join('\n'), ExitCode.UNCLASSIFIED);
}
