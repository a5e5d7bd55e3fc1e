/**
 * Which file of engine/modules/ implements which `k6/...` import (see engine/modules/api.ts).
 * Each file is imported once per thread; its `createModule(vu)` runs once per VU.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ScriptError } from '../errors.ts';
import type { ModuleFactory } from '../modules/api.ts';
import { engineFile, threadPaths } from './threads.ts';
import { stateOf } from './vu-state.ts';

type Loaded = { createModule?: ModuleFactory };

/** This room's modules, imported statically so that bundled threads carry them. */
const BUILTIN: Readonly<Record<string, () => Promise<Loaded>>> = {
  k6: () => import('../modules/k6.ts'),
  'k6/http': () => import('../modules/http.ts'),
  'k6/metrics': () => import('../modules/metrics.ts'),
  'k6/execution': () => import('../modules/execution.ts'),
  'k6/data': () => import('../modules/data.ts'),
  'k6/timers': () => import('../modules/timers.ts'),
  'k6/encoding': () => import('../modules/encoding.ts'),
  'k6/crypto': () => import('../modules/crypto.ts'),
  'k6/html': () => import('../modules/html.ts'),
  'k6/secrets': () => import('../modules/secrets.ts'),
  'k6/experimental/fs': () => import('../modules/experimental-fs.ts'),
  'k6/experimental/csv': () => import('../modules/experimental-csv.ts'),
  'k6/experimental/streams': () => import('../modules/experimental-streams.ts'),
  'k6/websockets': () => import('../modules/websockets.ts'),
  'k6/ws': () => import('../modules/ws.ts'),
};

let tsxReady: Promise<void> | null = null;

/**
 * Extension modules stay TypeScript files: a bundled thread registers tsx (once) before importing
 * one (trying without first would leave a failed load in the module cache); a thread booted from
 * sources has tsx already.
 */
async function importExtension(file: string): Promise<Loaded> {
  if (threadPaths().files) {
    tsxReady ??= import(threadPaths().tsxApi).then((api: { register: () => void }) => api.register());
    await tsxReady;
  }
  return (await import(engineFile(`modules/${file}`))) as Loaded;
}

export const MODULE_FILES: Readonly<Record<string, string>> = {
  k6: 'k6.ts',
  'k6/http': 'http.ts',
  'k6/metrics': 'metrics.ts',
  'k6/execution': 'execution.ts',
  'k6/data': 'data.ts',
  'k6/timers': 'timers.ts',
  'k6/encoding': 'encoding.ts',
  'k6/crypto': 'crypto.ts',
  'k6/html': 'html.ts',
  'k6/secrets': 'secrets.ts',
  'k6/experimental/fs': 'experimental-fs.ts',
  'k6/experimental/csv': 'experimental-csv.ts',
  'k6/experimental/streams': 'experimental-streams.ts',
  'k6/websockets': 'websockets.ts',
  'k6/ws': 'ws.ts',
  'k6/x/redis': 'x/redis.ts',
  'k6/x/kafka': 'x/kafka.ts',
  'k6/x/sql': 'x/sql.ts',
  'k6/x/sql/driver/postgres': 'x/sql-driver-postgres.ts',
  'k6/x/sse': 'x/sse.ts',
};

/** Checks every import before anything runs; returns every problem. */
export function checkImports(specifiers: readonly string[]): string[] {
  const problems: string[] = [];
  for (const spec of specifiers) {
    const file = MODULE_FILES[spec];
    if (!file) {
      problems.push(
        `unknown module "${spec}": the Node engine does not implement it; run this script with the k6 binary (k6 run)`,
      );
    } else if (!BUILTIN[spec] && !existsSync(fileURLToPath(engineFile(`modules/${file}`)))) {
      problems.push(`module "${spec}" is not available in this build of the engine: engine/modules/${file} is missing`);
    }
  }
  return problems;
}

/**
 * An internal module (not importable by scripts: esbuild resolves only `k6` and `k6/*` as
 * external) through which the bundle's prelude takes the VU's own globals (see bundle.ts).
 */
export const VU_GLOBALS = 'k6-llm-perf:vu-globals';
const vuGlobals: ModuleFactory = (vu) => ({ Math: stateOf(vu).math });

/** Imports the module files of the given specifiers (the always-needed `k6` included). */
export async function loadModules(specifiers: readonly string[]): Promise<Map<string, ModuleFactory>> {
  const problems = checkImports(specifiers);
  if (problems.length > 0) throw new ScriptError(problems.join('\n'));
  const out = new Map<string, ModuleFactory>([[VU_GLOBALS, vuGlobals]]);
  for (const spec of specifiers) {
    const mod = BUILTIN[spec] ? await BUILTIN[spec]() : await importExtension(MODULE_FILES[spec]!);
    if (typeof mod.createModule !== 'function')
      throw new ScriptError(`engine/modules/${MODULE_FILES[spec]} does not export createModule(vu)`);
    out.set(spec, mod.createModule);
  }
  return out;
}
