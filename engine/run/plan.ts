/**
 * Before any VU runs: bundle the script, check its imports, run one init context to read its
 * `options` and custom metrics, consolidate the options, choose the mode and the workers, and
 * validate everything (every problem at once; exit 104 for config, 107 for script).
 */
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { ConfigError, ScriptError } from '../errors.ts';
import { Aggregator, WorkerMetrics } from '../metrics/index.ts';
import type { MetricDefinition, SubmetricSelector } from '../metrics/api.ts';
import type { ExecutionMode } from '../modules/api.ts';
import { consolidate, envLayer, type EngineOptions, type OptionLayer } from '../options/consolidate.ts';
import {
  checkSegmentInSequence,
  FULL_SEGMENT,
  scaleInt,
  parseSegment,
  parseSegmentSequence,
  type Segment,
} from '../options/segment.ts';
import type { BundledScript } from '../runtime/script.ts';
import { bundleScript } from '../runtime/load-script.ts';
import { describeFallback, describeStats, type RewriteFallback } from '../transform/index.ts';
import { makeHost } from '../runtime/make-host.ts';
import { checkImports } from '../runtime/module-map.ts';
import { secretSourcesError } from '../secrets/sources.ts';
import { SharedSecrets } from '../secrets/shared.ts';
import { Vu } from '../runtime/vu.ts';
import { peakVus } from '../executors/index.ts';
import type { RunTestOptions } from './types.ts';

export interface RunPlan {
  script: BundledScript;
  options: EngineOptions;
  baseEnv: Record<string, string>;
  selectors: SubmetricSelector[];
  definitions: MetricDefinition[];
  segment: Segment;
  mode: ExecutionMode;
  workers: number;
  /** What every thread shares about secrets (secrets/shared.ts): fetched values, url limiters. */
  secretsShared: SharedArrayBuffer;
}

function readConfigFile(file: string): OptionLayer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`--config ${file}: cannot read it: ${(err as Error).message}`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`--config ${file}: not valid JSON: ${(err as Error).message}`]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError([`--config ${file}: expected a JSON object of k6 options`]);
  }
  // k6's config file may nest the options under "options"; accept both.
  const obj = parsed as Record<string, unknown>;
  return (typeof obj.options === 'object' && obj.options !== null ? obj.options : obj) as OptionLayer;
}

/**
 * Runs the init context once (VU 0) and returns the script's exports and metric definitions. The
 * secret sources are there already: k6 lets the init context read secrets (what it fetches is
 * cached in `secrets` for the run's threads).
 */
async function probe(
  script: BundledScript,
  baseEnv: Record<string, string>,
  secrets: { sources: string[]; shared: SharedArrayBuffer },
  writeLine: (line: string) => void,
) {
  const sink = new WorkerMetrics({ submetrics: [] });
  const prelim = { ...consolidate([{}]).options, secretSources: secrets.sources };
  const owned = await makeHost({
    script,
    options: prelim,
    baseEnv,
    mode: 'async',
    sink,
    abortTest: () => undefined,
    writeLine,
    secretsShared: secrets.shared,
  });
  try {
    const vu = new Vu(0, 0, owned.host);
    await vu.init();
    const flushed = sink.flush() as unknown as { definitions?: MetricDefinition[] };
    return { exports: vu.scriptExports, definitions: flushed.definitions ?? [] };
  } finally {
    await owned.close();
  }
}

function isAsyncFn(fn: unknown): boolean {
  return typeof fn === 'function' && fn.constructor?.name === 'AsyncFunction';
}

export async function makePlan(o: RunTestOptions): Promise<RunPlan> {
  const stderr = o.stderr ?? process.stderr;
  const processEnv = o.processEnv ?? process.env;
  const baseEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(processEnv)) if (typeof v === 'string') baseEnv[k] = v;
  Object.assign(baseEnv, o.env ?? {});
  // k6 builds its secret sources before it loads the script: a bad flag stops it first (exit 255).
  const secretsProblem = secretSourcesError(o.secretSources ?? [], baseEnv, process.cwd());
  if (secretsProblem) throw secretsProblem;
  const script = await bundleScript(o.script, { warn: (m) => void stderr.write(`WARN[0000] ${m}\n`) });
  const importProblems = checkImports(script.k6Imports);
  if (importProblems.length) throw new ScriptError(importProblems.join('\n'));
  if (o.verbose) stderr.write(describeStats(script.path, script.rewrite) + '\n');
  const secretsShared = SharedSecrets.create().buffer;
  const secrets = { sources: o.secretSources ?? [], shared: secretsShared };
  const { exports, definitions } = await probe(script, baseEnv, secrets, (line) => void stderr.write(line + '\n'));

  const problems: string[] = [];
  const scriptOptions = exports.options ?? {};
  if (typeof scriptOptions !== 'object' || scriptOptions === null)
    problems.push('options: the exported `options` must be an object');
  const env = envLayer(processEnv);
  problems.push(...env.problems);
  const layers: OptionLayer[] = [
    {},
    o.configFile ? readConfigFile(o.configFile) : {},
    scriptOptions as OptionLayer,
    env.layer,
    o.flags ?? {},
  ];
  const { options, problems: optionProblems } = consolidate(layers);
  problems.push(...optionProblems);

  let segment: Segment = FULL_SEGMENT;
  if (o.executionSegment) {
    const s = parseSegment(o.executionSegment);
    if ('error' in s) problems.push(s.error);
    else segment = s;
  }
  if (o.executionSegmentSequence) {
    const seq = parseSegmentSequence(o.executionSegmentSequence);
    if ('error' in seq) problems.push(seq.error);
    else if (o.executionSegment && !('error' in segment)) {
      const p = checkSegmentInSequence(segment, seq);
      if (p) problems.push(p);
    }
  }

  for (const c of options.scenarios) {
    if (typeof exports[c.exec] !== 'function') {
      problems.push(
        `scenarios.${c.name}.exec: function "${c.exec}" is not exported by ${o.script}${c.exec === 'default' ? ' (export a default function)' : ''}`,
      );
    }
  }
  const thresholds = o.noThresholds ? {} : options.thresholds;
  const parsed = Aggregator.parseThresholds(thresholds);
  problems.push(...parsed.errors);
  if (problems.length === 0) {
    const agg = new Aggregator({ thresholds });
    problems.push(...agg.validateAgainstDefinitions(definitions));
  }
  if (problems.length) throw new ConfigError(problems);

  const mode = choose(o.mode ?? 'auto', options, exports, script.fallback, (line) => void stderr.write(line + '\n'));
  // Sync mode runs each VU on a thread of its own: its workers only schedule, so one is enough
  // (fewer threads to wake per request); async mode spreads its VUs over one worker per core but
  // one, which is left to the main thread (metrics, thresholds) and to a local target: on 2 cores
  // one worker used ~20% less CPU per request than two for the same throughput.
  const cores = Math.max(1, o.workers ?? (mode === 'sync' ? 1 : availableParallelism() - 1));
  const peak = peakVus(options.scenarios, (n) => scaleInt(n, segment));
  const workers = Math.max(1, Math.min(cores, peak || 1));
  return {
    script: mode === 'sync' ? { ...script, code: script.threadCode } : script,
    options: { ...options, ...(o.noThresholds ? { thresholds: {} } : {}), secretSources: o.secretSources ?? [] },
    baseEnv,
    selectors: parsed.selectors,
    definitions,
    segment,
    mode,
    workers,
    secretsShared,
  };
}

/**
 * The mode: 'sync' and 'async' as asked; 'auto' is async when the whole-script rewrite succeeded
 * (or every exec function is async already: those ran on the async path before the rewrite
 * widened), else sync, saying which construct stopped the rewrite. `--mode async` on a script the
 * rewrite cannot take fails (exit 107, a script error) instead of falling back.
 */
function choose(
  mode: 'auto' | 'async' | 'sync',
  options: EngineOptions,
  exports: Readonly<Record<string, unknown>>,
  fallback: RewriteFallback | null,
  warn: (line: string) => void,
): ExecutionMode {
  if (mode === 'sync' || !fallback) return mode === 'sync' ? 'sync' : 'async';
  const allAsync = options.scenarios.every((c) => isAsyncFn(exports[c.exec]));
  if (allAsync) {
    warn(
      `WARN blocking-call rewrite: ${fallback.construct} at ${fallback.where}: ${fallback.why}; blocking calls are awaited inside async functions only`,
    );
    return 'async';
  }
  if (mode === 'async')
    throw new ScriptError(
      `--mode async: the script cannot run on the async path: ${fallback.construct} at ${fallback.where}: ${fallback.why} (use --mode auto or --mode sync)`,
    );
  warn(describeFallback(fallback));
  return 'sync';
}
