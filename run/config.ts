/**
 * The config loader: `k6-llm-perf.config.ts` (or .mjs/.js) found in the working directory, or
 * `--config FILE`. Imported (tsx is registered by the CLI), validated against config.schema.json,
 * then checked against the disk (scripts, threshold files, cwd) and for placeholders; every
 * problem is reported at once, naming the file and the JSON pointer (exit 104), before anything
 * starts. Each scenario becomes a catalog entry the pipeline runs like the kit's own.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { tsImport } from 'tsx/esm/api';
import { formatSchemaErrors } from './schema-errors.ts';
import { RunConfigError, messageOf } from './errors.ts';
import { needOf, placeholdersIn } from './placeholders.ts';
import type { ScenarioEntry, Service } from './catalog.ts';
import type { KitConfig, ServiceConfig } from './config-types.ts';
import { resolveConfig as resolveMockConfig } from '../mock-llm/config.ts';

export const CONFIG_FILES = ['k6-llm-perf.config.ts', 'k6-llm-perf.config.mjs', 'k6-llm-perf.config.js'] as const;
export const CONFIG_SCHEMA_PATH = resolve(import.meta.dirname, 'config.schema.json');
const ORDER: readonly Service[] = ['redis', 'postgres', 'kafka'];

export interface LoadedConfig {
  file: string;
  entries: ReadonlyMap<string, ScenarioEntry>;
  reset: { redis: boolean; tables: string[]; topics: string[] };
}

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false });
  ajv.addKeyword({ keyword: 'x-expected', schemaType: 'string' });
  const schema = JSON.parse(readFileSync(CONFIG_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  delete schema.$schema;
  compiled = ajv.compile(schema);
  return compiled;
}

/** The config file of `cwd`, if any. */
export function findConfig(cwd: string): string | undefined {
  return CONFIG_FILES.map((f) => resolve(cwd, f)).find((f) => existsSync(f));
}

function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

/** Imports, validates and turns the config into entries; throws RunConfigError (exit 104) with every problem. */
export async function loadConfig(path: string): Promise<LoadedConfig> {
  const file = display(path);
  if (!existsSync(path)) throw new RunConfigError([`--config ${file}: no such file`]);
  let data: unknown;
  try {
    // tsx's own import: TypeScript, and ESM whatever the user's package.json says.
    const mod = (await tsImport(pathToFileURL(resolve(path)).href, import.meta.url)) as { default?: unknown };
    data = mod.default;
    // A .ts file in a package without "type": "module" loads as CommonJS: its default sits one level down.
    if (data !== null && typeof data === 'object' && 'default' in data && !('scenarios' in data))
      data = (data as { default: unknown }).default;
  } catch (err) {
    throw new RunConfigError([`${file}: could not be loaded: ${messageOf(err)}`], { cause: err });
  }
  if (data === undefined)
    throw new RunConfigError([`${file}: expected a default export (export default defineConfig({ ... }))`]);
  const validate = validator();
  if (!validate(data)) throw new RunConfigError(formatSchemaErrors(file, validate.errors ?? [], data));
  return toLoaded(file, dirname(resolve(path)), data as KitConfig);
}

function enabledServices(config: KitConfig): Service[] {
  return ORDER.filter((s) => {
    const v = config.services?.[s];
    return v !== undefined && v !== false;
  });
}

interface MockSpec {
  enabled: boolean;
  seed: number;
  performanceMode: boolean;
  configFile?: string;
}

function mockOf(config: KitConfig, dir: string): MockSpec {
  const m = config.mockLlm;
  if (m === undefined || typeof m === 'boolean') return { enabled: m === true, seed: 42, performanceMode: true };
  return {
    enabled: m.enabled ?? true,
    seed: m.seed ?? 42,
    performanceMode: m.performanceMode ?? true,
    ...(m.config ? { configFile: resolve(dir, m.config) } : {}),
  };
}

/** The stub's own validation of its config file, run now so that a bad one is exit 104 before anything starts. */
function mockProblems(file: string, mock: MockSpec): string[] {
  if (!mock.configFile) return [];
  const missing = fileProblem(file, '/mockLlm/config', mock.configFile);
  if (missing) return [missing];
  try {
    resolveMockConfig(mock.configFile);
    return [];
  } catch (err) {
    return [`${file}: /mockLlm/config: ${messageOf(err)}`];
  }
}

/** Placeholders of the service: known names only, and each one's service declared. */
function serviceProblems(file: string, s: ServiceConfig, services: Service[], mock: boolean): string[] {
  const problems: string[] = [];
  const fields: Array<[string, string | undefined]> = [
    ['command', s.command],
    ['url', s.url],
    ['readyUrl', s.readyUrl],
    ['migrate', s.migrate],
    ['seed', s.seed],
    ...Object.entries(s.env ?? {}).map(([k, v]): [string, string] => [
      `env/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`,
      v,
    ]),
  ];
  for (const [field, text] of fields) {
    if (text === undefined) continue;
    const pointer = `${file}: /service/${field}`;
    for (const p of placeholdersIn(text, pointer, problems)) {
      const need = needOf(p);
      if (need === 'llm' && !mock) problems.push(`${pointer}: {{${p}}} needs the mock LLM (mockLlm: true)`);
      else if (need && need !== 'llm' && !services.includes(need))
        problems.push(`${pointer}: {{${p}}} needs services.${need}: true`);
    }
  }
  if (s.command === undefined && s.url === undefined)
    problems.push(`${file}: /service: expected a command to start, or the url of a running service`);
  if (s.cwd !== undefined && !existsSync(s.cwd)) problems.push(`${file}: /service/cwd: no such directory`);
  return problems;
}

function fileProblem(file: string, pointer: string, path: string): string | null {
  if (!existsSync(path)) return `${file}: ${pointer}: ${display(path)}: no such file`;
  return statSync(path).isFile() ? null : `${file}: ${pointer}: ${display(path)}: not a file`;
}

function toLoaded(file: string, dir: string, config: KitConfig): LoadedConfig {
  const services = enabledServices(config);
  const mock = mockOf(config, dir);
  const problems: string[] = mockProblems(file, mock);
  const s = config.service;
  if (s) problems.push(...serviceProblems(file, { ...s, cwd: s.cwd && resolve(dir, s.cwd) }, services, mock.enabled));
  const entries = new Map<string, ScenarioEntry>();
  for (const [name, sc] of Object.entries(config.scenarios)) {
    const script = resolve(dir, sc.script);
    const thresholds = resolve(dir, sc.thresholds);
    for (const p of [
      fileProblem(file, `/scenarios/${name}/script`, script),
      fileProblem(file, `/scenarios/${name}/thresholds`, thresholds),
    ])
      if (p) problems.push(p);
    const need = new Set<Service>([...services, ...(sc.services ?? [])]);
    entries.set(name, {
      name,
      summary: sc.description ?? `${display(script)} (${file})`,
      script: ORDER.filter((x) => need.has(x)),
      target: false,
      stub: mock.enabled ? 'script' : false,
      scriptFile: script,
      thresholdsFile: thresholds,
      env: sc.env ?? {},
      seed: mock.seed,
      performanceMode: mock.performanceMode,
      ...(mock.configFile ? { mockConfigFile: mock.configFile } : {}),
      ...(s
        ? {
            service: {
              command: s.command,
              cwd: resolve(dir, s.cwd ?? '.'),
              env: s.env ?? {},
              url: s.url ?? 'http://127.0.0.1:{{port}}',
              readyUrl: s.readyUrl ?? s.url ?? 'http://127.0.0.1:{{port}}',
              timeoutMs: s.timeout ?? 60_000,
              reuseExisting: s.reuseExisting ?? false,
              migrate: s.migrate,
              seed: s.seed,
            },
          }
        : {}),
    });
  }
  if (problems.length) throw new RunConfigError(problems);
  const r = config.reset ?? {};
  return { file, entries, reset: { redis: r.redis ?? true, tables: r.tables ?? [], topics: r.topics ?? [] } };
}
