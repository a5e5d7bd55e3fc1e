/**
 * Step 6: the engine run. The script gets the endpoints as __ENV (BASE_URL, LLM_URL, REDIS_URL,
 * DATABASE_URL, KAFKA_BROKERS, KAFKA_TOPIC), the overrides (RATE, DURATION, VUS, PROFILE) and the
 * user's -e; the engine gets the thresholds as a k6 config file and exports the summary with
 * every trend stat the thresholds and regression rules need.
 */
import { existsSync } from 'node:fs';
import type { Endpoints } from '../infra/index.ts';
import { DEFAULT_TOPIC } from '../service/index.ts';
import { engineArgs, trendStats } from './engine-select.ts';
import { executeEngine } from './execute.ts';
import { statKeyOf } from './threshold-eval.ts';
import { redactEnv, writeJson } from './results-dir.ts';
import { messageOf } from './errors.ts';
import type { ExecutionRecord, RunRecord } from './record.ts';
import type { RunContext } from './record.ts';
import type { RunOptions } from './options.ts';
import type { RssSampler } from './rss.ts';
import { DEGRADATION } from './verdict.ts';

export interface ExecuteScenarioInput {
  opts: RunOptions;
  ctx: RunContext;
  rec: RunRecord;
  bundle: string;
  sampler: RssSampler;
  endpoints: Endpoints;
  baseUrl?: string;
  llmUrl?: string;
}

/** The script's __ENV: endpoints first, then overrides, then the user's -e (which win). */
export function scriptEnv(
  endpoints: Endpoints,
  baseUrl: string | undefined,
  llmUrl: string | undefined,
  opts: RunOptions,
  scenarioEnv: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  if (baseUrl) env.BASE_URL = baseUrl;
  if (llmUrl) env.LLM_URL = llmUrl;
  if (endpoints.redis) env.REDIS_URL = endpoints.redis.url;
  if (endpoints.postgres) env.DATABASE_URL = endpoints.postgres.url;
  if (endpoints.kafka) {
    env.KAFKA_BROKERS = endpoints.kafka.brokers.join(',');
    env.KAFKA_TOPIC = DEFAULT_TOPIC;
  }
  for (const [k, v] of Object.entries(opts.overrides)) if (v !== undefined) env[k] = v;
  return { ...env, ...scenarioEnv, ...opts.env };
}

/**
 * What a script needs for the LLM the kit started: with llama-server, ignore_eos (a fixed output
 * length), the OpenAI wire format only (its Anthropic stream carries no server timings), and the
 * output token counts compared only (the input estimate, characters / 4, is not its tokenizer).
 */
export function llmEnv(rec: RunRecord): Record<string, string> {
  return rec.llm?.kind === 'llama-server' ? { IGNORE_EOS: 'on', PROVIDERS: 'openai', MISMATCH_KINDS: 'output' } : {};
}

/** Every stat the verdict reads: thresholds' aggregations, regression stats, the degradation stat. */
export function neededStats(rec: RunRecord): string[] {
  const stats = new Set<string>();
  for (const list of Object.values(rec.file.thresholds))
    for (const t of list) stats.add(statKeyOf(typeof t === 'string' ? t : t.threshold));
  for (const r of rec.file.regression) stats.add(r.stat);
  if (rec.file.run[DEGRADATION.check] !== undefined) stats.add(DEGRADATION.stat);
  return trendStats(stats);
}

/** Every metric key the verdict asks samples of: the thresholds' keys and the run checks' names. */
export function checkedKeys(rec: RunRecord): string[] {
  return [...new Set([...Object.keys(rec.file.thresholds), ...Object.keys(rec.file.run)])];
}

/** k6 writes raw points (`--out json=`): convert them to timeseries.json and samples.json with the reports room. */
async function convertK6Points(rec: RunRecord, log: (l: string) => void): Promise<void> {
  const points = rec.dir.file('k6-points.json');
  if (!existsSync(points)) return;
  try {
    const { convertK6Json } = await import('../report/index.ts');
    const { timeseries, samples } = await convertK6Json(points, checkedKeys(rec));
    writeJson(rec.dir.file('timeseries.json'), timeseries);
    writeJson(rec.dir.file('samples.json'), samples);
  } catch (err) {
    log(`warning: could not convert k6-points.json to timeseries.json and samples.json: ${messageOf(err)}`);
  }
}

export async function executeScenario(input: ExecuteScenarioInput): Promise<ExecutionRecord> {
  const { opts, ctx, rec } = input;
  const env = scriptEnv(input.endpoints, input.baseUrl, input.llmUrl, opts, { ...llmEnv(rec), ...rec.entry.env });
  const stats = neededStats(rec);
  const args = engineArgs({
    spec: rec.engine,
    bundle: input.bundle,
    configFile: rec.dir.file('config.json'),
    summaryFile: rec.dir.file('summary.json'),
    stats,
    env,
    secretSources: opts.secretSources,
    timeseriesFile: rec.dir.file('timeseries.json'),
    histogramsFile: rec.dir.file('histograms.json'),
    samplesFile: rec.dir.file('samples.json'),
    k6PointsFile: rec.dir.file('k6-points.json'),
    quiet: opts.quiet,
  });
  const redacted = redactEnv(env);
  // A mock secret source carries its secrets in the flag: never shown nor written to results.
  const shownArgs = args.map((a, i) =>
    args[i - 1] === '-e'
      ? `${a.split('=')[0]}=${redacted[a.split('=')[0]!] ?? ''}`
      : a.startsWith('--secret-source=mock=')
        ? '--secret-source=mock=***'
        : a,
  );
  ctx.log(`run: executing ${rec.entry.name} with the ${rec.engine.kind} engine`);
  const result = await executeEngine({
    command: rec.engine.command,
    args,
    cwd: process.cwd(),
    logFile: rec.dir.file('logs/engine.log'),
    echo: !opts.quiet,
    sampler: input.sampler,
    signal: ctx.signal,
    shownCommand: `${rec.engine.command} ${shownArgs.join(' ')}`,
  });
  if (rec.engine.kind === 'k6') await convertK6Points(rec, ctx.log);
  return { exitCode: result.exitCode, signal: result.signal, args: shownArgs, scriptEnv: redacted, trendStats: stats };
}
