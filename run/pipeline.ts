/**
 * One scenario, DESIGN.md "Data flow of one run": build, thresholds, infra, stub, target,
 * execute, verdict, results, teardown. Configuration is checked before anything starts or is
 * written; from then on every outcome (pass, breach, failure, signal) ends in a results folder
 * with verdict.json, meta.json, junit.xml and summary.md, and in a full teardown.
 */
import { join } from 'node:path';
import { servicesFor } from './scenario-entry.ts';
import { engineVersion } from './engine-select.ts';
import { createResultsDir, writeJson, type ResultsDir } from './results-dir.ts';
import { prepare } from './prepare.ts';
import { Teardown } from './teardown.ts';
import { startRssSampler, type RssSampler } from './rss.ts';
import { bundleScenario } from './bundle.ts';
import { infraUp, llamaUp, stubUp, targetUp, type TargetUp } from './stack.ts';
import { userServiceUp, type StartedUserService } from './user-service.ts';
import { endpointValues } from './placeholders.ts';
import { executeScenario } from './execute-scenario.ts';
import { RunAbortedError, RunComponentError, RunTargetError, messageOf } from './errors.ts';
import { StackWatch, type ComponentFailure, type WatchedComponent } from './watch.ts';
import { watchedComponents } from './watched.ts';
import { checkK6Modules } from './k6-modules.ts';
import { finishRun } from './finish.ts';
import { k6ThresholdOptions } from './thresholds-file.ts';
import type { RunContext, RunRecord } from './record.ts';

export type { RunContext } from './record.ts';
import type { RunOptions } from './options.ts';
import type { Verdict } from './verdict.ts';

export interface ScenarioOutcome {
  scenario: string;
  exitCode: number;
  resultsDir: string | null;
  verdict: Verdict | null;
}

/** Steps 1-6: from the build to the engine's exit. Fills `rec` as it goes. */
async function runSteps(
  opts: RunOptions,
  ctx: RunContext,
  rec: RunRecord,
  teardown: Teardown,
  sampler: RssSampler,
): Promise<void> {
  const { entry, dir } = rec;
  const bundle = await bundleScenario(entry.name, {
    build: opts.build,
    // The kit's own scripts/<name>.ts is bundled to dist/scripts/<name>.js (--no-build uses it); any other to the results folder.
    ...(entry.scriptFile && !entry.kitScript ? { src: entry.scriptFile, out: dir.file('script.js') } : {}),
  });
  if (rec.engine.kind === 'k6') checkK6Modules(rec.engine, bundle); // a k6 without the bundle's k6/x modules: 104 before anything starts
  writeJson(dir.file('config.json'), { thresholds: k6ThresholdOptions(rec.file) });
  const infra =
    ctx.infra ??
    (await infraUp(
      {
        provider: opts.infra,
        services: servicesFor(entry, opts.targetUrl !== undefined),
        options: entry.infraOptions,
        configFile: entry.configFile,
        logDir: dir.logs,
        progress: opts.progress,
        signal: ctx.signal,
      },
      teardown,
    ));
  const services = infra.services.map((s) => s.name);
  rec.infra = {
    provider: services.length ? infra.provider : 'none',
    reason: infra.reason,
    shared: ctx.infra !== undefined,
    services,
  };
  throwIfAborted(ctx.signal);
  const ownTarget = opts.targetUrl !== undefined;
  const needStub = opts.llmUrl === undefined && (entry.stub === 'script' || (entry.stub === 'target' && !ownTarget));
  const seed = entry.seed ?? 42;
  const performanceMode = entry.performanceMode ?? true;
  const llama = needStub && opts.llmProvider === 'llama-server';
  const stub =
    needStub && !llama
      ? await stubUp(dir.logs, teardown, {
          seed,
          performanceMode,
          ...(entry.mockConfigFile ? { configFile: entry.mockConfigFile } : {}),
        })
      : undefined;
  const server = llama
    ? await llamaUp(dir.logs, teardown, { parallel: llamaSlots(opts), signal: ctx.signal })
    : undefined;
  if (server) ctx.log(`run: llama-server ${server.url}, ${server.parallel} slots (log: ${server.logFile})`);
  const llmUrl = opts.llmUrl ?? stub?.url ?? server?.url;
  rec.llm = opts.llmUrl
    ? { kind: 'provider', url: opts.llmUrl }
    : server
      ? { kind: 'llama-server', url: server.url, model: server.model, parallel: server.parallel }
      : needStub
        ? { kind: 'stub', url: llmUrl!, seed, performanceMode }
        : { kind: 'none' };
  let target: TargetUp | undefined;
  if (entry.target && !ownTarget) {
    ctx.log(`run: starting the reference target (log: ${join(dir.logs, 'target.log')})`);
    target = await targetUp(
      { infra, llmUrl: llmUrl!, realProvider: opts.llmUrl !== undefined, logDir: dir.logs },
      teardown,
    );
    sampler.watch('target', target.target.pid);
  }
  let service: StartedUserService | undefined;
  if (entry.service && !ownTarget) {
    ctx.log(`run: starting the service under test (log: ${join(dir.logs, 'service.log')})`);
    service = await userServiceUp(entry.service, endpointValues(infra, llmUrl), dir.logs, teardown);
    if (service.pid !== undefined) sampler.watch('target', service.pid);
  }
  rec.target = ownTarget
    ? { kind: 'external', url: opts.targetUrl! }
    : service
      ? { kind: 'service', url: service.url, ...(service.pid !== undefined ? { pid: service.pid } : {}) }
      : target
        ? { kind: 'reference', url: target.target.url, pid: target.target.pid }
        : { kind: 'none' };
  throwIfAborted(ctx.signal);
  const baseUrl = opts.targetUrl ?? target?.target.url ?? service?.url;
  const targetChild = target ? { ...target.target, logFile: join(dir.logs, 'target.log') } : undefined;
  const llmChild = stub ?? (server ? { ...server, name: 'llama-server', healthPath: '/health' } : undefined);
  const components = watchedComponents(infra, llmChild, targetChild, service);
  const watch = watchStack(components, opts, ctx, rec, teardown);
  try {
    rec.execution = await executeScenario({
      opts,
      ctx: { ...ctx, signal: watch.signal },
      rec,
      bundle,
      sampler,
      endpoints: infra.endpoints,
      baseUrl,
      llmUrl,
    });
  } finally {
    watch.stop();
  }
  if (rec.componentFailure) throw componentError(rec.componentFailure);
  const died = target?.died() ?? service?.died();
  if (died) throw new RunTargetError(died);
}

/** llama-server's slots: as many as the run's streams (--vus), at least 8. */
function llamaSlots(opts: RunOptions): number {
  return Math.max(8, Number(opts.env.VUS ?? opts.overrides.VUS ?? 0) || 0);
}

/** Starts the stack watch for the engine's run; its signal aborts the engine when a component fails. */
function watchStack(
  components: WatchedComponent[],
  opts: RunOptions,
  ctx: RunContext,
  rec: RunRecord,
  teardown: Teardown,
): { signal: AbortSignal; stop(): void } {
  const abort = new AbortController();
  if (components.length)
    ctx.log(
      `run: watching ${components.map((c) => `${c.name} ${c.address ?? ''}${c.pid !== undefined ? ` (pid ${c.pid})` : ''}`).join(', ')}`,
    );
  const watch = new StackWatch(components, {
    graceMs: opts.healthGraceMs,
    onFailure: (f) => {
      rec.componentFailure = f;
      teardown.urgent = true;
      ctx.log(`run: ${f.component} failed at ${f.since.toISOString()} (${f.reason}); stopping the engine`);
      abort.abort(componentError(f));
    },
  }).start();
  return { signal: AbortSignal.any([ctx.signal, abort.signal]), stop: () => watch.stop() };
}

export function componentError(f: ComponentFailure): RunComponentError {
  const seconds = ((f.detectedAt.getTime() - f.since.getTime()) / 1000).toFixed(1);
  const also = f.alsoDown.length
    ? ` (also down: ${f.alsoDown.map((a) => `${a.component}: ${a.reason}`).join('; ')})`
    : '';
  const tail = f.logTail.length ? `; last lines of ${f.logFile}:\n${f.logTail.map((l) => `    ${l}`).join('\n')}` : '';
  return new RunComponentError(
    f.component,
    `${f.component} failed during the run at ${f.since.toISOString()}: ${f.reason} (down ${seconds} s)${also}${tail}`,
  );
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new RunAbortedError('signal');
}

/** Runs one scenario end to end; never throws for a run problem (the exit code says it), only for bad configuration. */
export async function runScenario(opts: RunOptions, scenario: string, ctx: RunContext): Promise<ScenarioOutcome> {
  const { entry, file, engine } = prepare(opts, scenario);
  const now = ctx.now ?? (() => new Date());
  const startTime = now();
  const dir: ResultsDir = createResultsDir(opts.resultsRoot, entry.name, startTime);
  ctx.log(`run: ${entry.name} → ${dir.dir}`);
  ctx.log(`run: engine ${engine.kind} (${engine.reason})`);
  const rec: RunRecord = {
    entry,
    file,
    dir,
    engine: { ...engine, version: engineVersion(engine) },
    startTime,
    errors: [],
  };
  const teardown = new Teardown((w) => ctx.log(`warning: ${w}`));
  const sampler = startRssSampler();
  try {
    await runSteps(opts, ctx, rec, teardown, sampler);
  } catch (err) {
    rec.errors.push(err);
    ctx.log(`run: ${entry.name}: ${messageOf(err)}`);
  } finally {
    sampler.sample();
    sampler.stop();
    rec.peaks = { target_peak_rss_mb: sampler.peak('target'), engine_peak_rss_mb: sampler.peak('engine') };
    await teardown.run();
    rec.cleanupWarnings = teardown.warnings;
  }
  rec.endTime = now();
  rec.aborted = ctx.signal.aborted;
  rec.abortReason = ctx.signal.reason;
  const verdict = await finishRun(opts, ctx, rec);
  return { scenario: entry.name, exitCode: verdict.exitCode, resultsDir: dir.dir, verdict };
}
