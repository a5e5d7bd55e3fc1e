/**
 * The config loader: `k6-llm-perf.config.ts` (or .mjs/.js) found in the working directory, or
 * `--config FILE`. Imported (tsx is registered by the CLI), validated against config.schema.json,
 * then checked against the disk (scripts, threshold files, cwd) and for placeholders; every
 * problem is reported at once, naming the file and the JSON pointer (exit 104), before anything
 * starts. Each scenario becomes a catalog entry the pipeline runs like the kit's own.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { tsImport } from 'tsx/esm/api';
import { formatSchemaErrors } from './schema-errors.ts';
import { RunConfigError, messageOf } from './errors.ts';
import { display, entriesOf, type LoadedConfig } from './config-entries.ts';
import type { KitConfig } from './config-types.ts';

export type { LoadedConfig } from './config-entries.ts';

export const CONFIG_FILES = ['k6-llm-perf.config.ts', 'k6-llm-perf.config.mjs', 'k6-llm-perf.config.js'] as const;
export const CONFIG_SCHEMA_PATH = resolve(import.meta.dirname, 'config.schema.json');

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
  return configFromData(path, data);
}

/** Validates an imported config (its default export) and turns it into entries; RunConfigError (exit 104) with every problem. */
export function configFromData(path: string, data: unknown): LoadedConfig {
  const file = display(path);
  if (data === undefined)
    throw new RunConfigError([`${file}: expected a default export (export default defineConfig({ ... }))`]);
  const validate = validator();
  if (!validate(data)) throw new RunConfigError(formatSchemaErrors(file, validate.errors ?? [], data));
  return entriesOf(file, dirname(resolve(path)), data as KitConfig);
}
