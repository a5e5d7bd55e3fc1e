/**
 * A validated config (run/config.ts) turned into the entries the pipeline runs, after the checks a
 * schema cannot make: files on disk, placeholders and the services they need, the mock LLM's own
 * config file. Every problem names the file and the JSON pointer; all are thrown at once (exit 104).
 */
import { existsSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { RunConfigError, messageOf } from './errors.ts';
import { needOf, placeholdersIn } from './placeholders.ts';
import type { ScenarioEntry, Service } from './scenario-entry.ts';
import type { KitConfig, ScenarioConfig, ServiceConfig } from './config-types.ts';
import type { UserServiceSpec } from './user-service.ts';
import type { ServiceOptions } from '../infra/index.ts';
import { resolveConfig as resolveMockConfig } from '../mock-llm/config.ts';
import { KIT_ROOT } from './results-dir.ts';

const ORDER: readonly Service[] = ['redis', 'postgres', 'kafka'];

export interface LoadedConfig {
  file: string;
  entries: ReadonlyMap<string, ScenarioEntry>;
  reset: { redis: boolean; tables: string[]; topics: string[] };
}

/** A path as the user reads it: relative to the working directory when below it. */
export function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

function enabledServices(config: KitConfig): Service[] {
  return ORDER.filter((s) => {
    const v = config.services?.[s];
    return v !== undefined && v !== false;
  });
}

/** The `services.<name>` objects: versions, images, settings (PostgreSQL's as strings). */
function infraOptionsOf(config: KitConfig): ServiceOptions | undefined {
  const { redis, postgres, kafka } = config.services ?? {};
  const out: ServiceOptions = {};
  if (typeof redis === 'object') out.redis = redis;
  if (typeof kafka === 'object') out.kafka = kafka;
  if (typeof postgres === 'object') {
    const { settings, ...rest } = postgres;
    out.postgres = {
      ...rest,
      ...(settings ? { settings: Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, String(v)])) } : {}),
    };
  }
  return Object.keys(out).length ? out : undefined;
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

/** The config's own service, paths resolved and defaults filled. */
function serviceSpec(s: ServiceConfig, dir: string): UserServiceSpec {
  return {
    command: s.command,
    cwd: resolve(dir, s.cwd ?? '.'),
    env: s.env ?? {},
    url: s.url ?? 'http://127.0.0.1:{{port}}',
    readyUrl: s.readyUrl ?? s.url ?? 'http://127.0.0.1:{{port}}',
    timeoutMs: s.timeout ?? 60_000,
    reuseExisting: s.reuseExisting ?? false,
    migrate: s.migrate,
    seed: s.seed,
  };
}

/**
 * Who needs the mock LLM in one scenario: its script (`mockLlm: true`) or the config's service
 * (`mockLlm` at the top: every scenario), else the reference service when the scenario drives it.
 */
function stubOf(sc: ScenarioConfig, mock: MockSpec, reference: boolean): ScenarioEntry['stub'] {
  if (sc.mockLlm || mock.enabled) return 'script';
  return reference && sc.service !== false ? 'target' : false;
}

/** The entries of a validated config; throws RunConfigError with every problem of the disk and the placeholders. */
export function entriesOf(file: string, dir: string, config: KitConfig): LoadedConfig {
  const services = enabledServices(config);
  const mock = mockOf(config, dir);
  const problems: string[] = mockProblems(file, mock);
  const s = config.service;
  const reference = s === 'reference';
  const own = s === undefined || s === 'reference' ? undefined : serviceSpec(s, dir);
  if (s !== undefined && s !== 'reference')
    problems.push(...serviceProblems(file, { ...s, cwd: s.cwd && resolve(dir, s.cwd) }, services, mock.enabled));
  const infraOptions = infraOptionsOf(config);
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
    const drives = sc.service !== false;
    entries.set(name, {
      name,
      summary: sc.description ?? `${display(script)} (${file})`,
      script: ORDER.filter((x) => need.has(x)),
      target: reference && drives,
      stub: stubOf(sc, mock, reference),
      scriptFile: script,
      ...(script === join(KIT_ROOT, 'scripts', `${name}.ts`) ? { kitScript: true } : {}),
      thresholdsFile: thresholds,
      env: sc.env ?? {},
      seed: mock.seed,
      performanceMode: mock.performanceMode,
      ...(mock.configFile ? { mockConfigFile: mock.configFile } : {}),
      ...(own && drives ? { service: own } : {}),
      ...(infraOptions ? { infraOptions } : {}),
      configFile: file,
    });
  }
  if (problems.length) throw new RunConfigError(problems);
  const r = config.reset ?? {};
  return { file, entries, reset: { redis: r.redis ?? true, tables: r.tables ?? [], topics: r.topics ?? [] } };
}
