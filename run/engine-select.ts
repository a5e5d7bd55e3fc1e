/**
 * `--engine auto|k6|node`: auto picks a k6 binary (K6_BIN, else `k6` on PATH), else the kit's
 * Node engine (`k6-llm-perf engine run`). Both get the same k6 flags; each its own extras.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { RunConfigError } from './errors.ts';
import { KIT_ROOT, kitVersion } from './results-dir.ts';

export type EngineChoice = 'auto' | 'k6' | 'node';

export interface EngineSpec {
  kind: 'k6' | 'node';
  /** Executable and the arguments before k6's `run` flags. */
  command: string;
  prefix: string[];
  reason: string;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The k6 binary: K6_BIN when set, else the first `k6` on PATH; null when none. */
export function findK6(env: NodeJS.ProcessEnv = process.env): { path: string; from: string } | null {
  if (env.K6_BIN) return isExecutable(env.K6_BIN) ? { path: env.K6_BIN, from: 'K6_BIN' } : null;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, 'k6'))) return { path: join(dir, 'k6'), from: 'PATH' };
  }
  return null;
}

export function selectEngine(choice: EngineChoice, env: NodeJS.ProcessEnv = process.env): EngineSpec {
  const node: EngineSpec = {
    kind: 'node',
    command: process.execPath,
    prefix: [join(KIT_ROOT, 'bin/k6-llm-perf.js'), 'engine', 'run'],
    reason: '',
  };
  if (choice === 'node') return { ...node, reason: '--engine node' };
  const k6 = findK6(env);
  if (choice === 'k6') {
    if (!k6) {
      const where = env.K6_BIN
        ? `K6_BIN=${env.K6_BIN} is not an executable file`
        : 'no k6 on PATH and K6_BIN is not set';
      throw new RunConfigError([`--engine k6: ${where} (use --engine node or auto)`]);
    }
    return { kind: 'k6', command: k6.path, prefix: ['run'], reason: `--engine k6 (${k6.from})` };
  }
  if (k6)
    return { kind: 'k6', command: k6.path, prefix: ['run'], reason: `auto: k6 binary found (${k6.from}: ${k6.path})` };
  return { ...node, reason: 'auto: no k6 binary on PATH or K6_BIN, using the Node engine' };
}

export function engineVersion(spec: EngineSpec): string {
  if (spec.kind === 'node') return `k6-llm-perf node engine ${kitVersion()}`;
  try {
    return execFileSync(spec.command, ['version'], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 })
      .toString()
      .trim();
  } catch {
    return 'k6 (version unknown)';
  }
}

/** The stats summary.json must carry: k6's defaults plus every stat thresholds and rules name. */
export function trendStats(needed: Iterable<string>): string[] {
  const stats = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];
  for (const s of needed) if (!stats.includes(s) && s !== 'count' && s !== 'rate' && s !== 'value') stats.push(s);
  return stats;
}

export interface EngineArgsInput {
  spec: EngineSpec;
  bundle: string;
  configFile: string;
  summaryFile: string;
  stats: string[];
  env: Record<string, string>;
  /** --secret-source values, passed on in order (k6 and the Node engine share the syntax). */
  secretSources?: readonly string[];
  timeseriesFile: string;
  histogramsFile: string;
  samplesFile: string;
  k6PointsFile: string;
  quiet: boolean;
}

export function engineArgs(a: EngineArgsInput): string[] {
  const args = [
    ...a.spec.prefix,
    '--config',
    a.configFile,
    '--summary-export',
    a.summaryFile,
    '--summary-trend-stats',
    a.stats.join(','),
  ];
  for (const [k, v] of Object.entries(a.env)) args.push('-e', `${k}=${v}`);
  for (const s of a.secretSources ?? []) args.push(`--secret-source=${s}`);
  if (a.spec.kind === 'node')
    args.push(
      '--timeseries-export',
      a.timeseriesFile,
      '--hdr-export',
      a.histogramsFile,
      '--samples-export',
      a.samplesFile,
    );
  else args.push('--out', `json=${a.k6PointsFile}`);
  if (a.quiet) args.push('--quiet');
  args.push(a.bundle);
  return args;
}
