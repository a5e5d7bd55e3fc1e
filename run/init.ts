/**
 * `k6-llm-perf init`: scaffolds the current project (run/init-template/): k6-llm-perf.config.ts,
 * perf/smoke.ts with its threshold file, perf/tsconfig.json (types of k6 and the k6/x modules),
 * and the npm scripts `perf:<scenario>`. An existing file is never overwritten (reported as kept).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { RunConfigError } from './errors.ts';

const TEMPLATE = resolve(import.meta.dirname, 'init-template');
const FILES = ['k6-llm-perf.config.ts', 'perf/smoke.ts', 'perf/smoke.thresholds.json', 'perf/tsconfig.json'];
const SCRIPTS: Record<string, string> = { 'perf:smoke': 'k6-llm-perf run smoke', 'perf:all': 'k6-llm-perf run all' };

export interface InitResult {
  written: string[];
  kept: string[];
  scripts: string[];
}

/** Writes the scaffold into `dir`; throws RunConfigError (exit 104) when there is no package.json. */
export function initProject(dir: string): InitResult {
  const pkgFile = join(dir, 'package.json');
  if (!existsSync(pkgFile))
    throw new RunConfigError([`${pkgFile}: no such file; run init in a Node project (npm init)`]);
  let pkg: { scripts?: Record<string, string> };
  try {
    pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as typeof pkg;
  } catch (err) {
    throw new RunConfigError([`${pkgFile}: not JSON (${(err as Error).message})`]);
  }
  const result: InitResult = { written: [], kept: [], scripts: [] };
  for (const f of FILES) {
    const to = join(dir, f);
    if (existsSync(to)) {
      result.kept.push(f);
      continue;
    }
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(TEMPLATE, f), to);
    result.written.push(f);
  }
  pkg.scripts ??= {};
  for (const [name, command] of Object.entries(SCRIPTS)) {
    if (pkg.scripts[name] !== undefined) continue;
    pkg.scripts[name] = command;
    result.scripts.push(name);
  }
  if (result.scripts.length) writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
  return result;
}

export function formatInit(r: InitResult): string {
  const lines = [
    ...r.written.map((f) => `init: wrote ${f}`),
    ...r.kept.map((f) => `init: kept ${f} (exists)`),
    ...r.scripts.map((s) => `init: added npm script ${s}`),
    'init: next: npm run perf:smoke (the kit starts its reference service as a stand-in; point `service` in',
    '      k6-llm-perf.config.ts at yours). For editor types of the scripts: npm install -D @types/k6',
  ];
  return `${lines.join('\n')}\n`;
}
