/**
 * `run <scenario>` and `run all` (npm run k6:all): every scenario in sequence on ONE infra
 * bring-up (the union of what they need), with isolation between them (methodology §5.1):
 * Redis flushed, the kit's tables truncated, its topics recreated. Exit code: the worst one.
 */
import { join } from 'node:path';
import { resetInfra, type InfraHandle } from '../infra/index.ts';
import { kitCatalog } from './catalog.ts';
import { servicesFor } from './scenario-entry.ts';
import { runScenario, type ScenarioOutcome } from './pipeline.ts';
import type { RunContext } from './record.ts';
import { entryOf, prepareAll, scenariosOfAll } from './prepare.ts';
import { infraUp } from './stack.ts';
import { Teardown } from './teardown.ts';
import { createResultsDir, writeJson } from './results-dir.ts';
import { RunExit, RunInternalError, messageOf } from './errors.ts';
import { exitCodeOf } from './finish.ts';
import { exitMeaning } from './summary-md.ts';
import type { RunOptions } from './options.ts';
import type { LoadedConfig } from './config.ts';

/** The worst of several exit codes: any failure beats a breach (99), which beats a pass (0). */
export function worstExit(codes: readonly number[]): number {
  return codes.reduce(
    (worst, c) => (c === 0 ? worst : worst === 0 || (worst === 99 && c !== 99) ? c : Math.max(worst, c)),
    0,
  );
}

/** Isolation between scenarios: only what is up is reset, as the config's `reset` says (default: the kit's config). */
export async function isolate(infra: InfraHandle, reset: LoadedConfig['reset'] = kitCatalog().reset): Promise<void> {
  const { redis, postgres, kafka } = infra.endpoints;
  await resetInfra(infra.endpoints, {
    flushRedis: redis !== undefined && reset.redis,
    truncateTables: postgres ? [...reset.tables] : [],
    recreateTopics: kafka ? [...reset.topics] : [],
  });
}

/**
 * Runs the scenarios on infrastructure that is already up (tests bring it up once per file).
 * Each scenario gets its own results folder; the infra is reset before each one.
 */
export async function runScenariosOn(
  opts: RunOptions,
  scenarios: readonly string[],
  infra: InfraHandle,
  ctx: RunContext,
): Promise<ScenarioOutcome[]> {
  prepareAll(opts, scenarios); // every threshold file checked before anything runs
  const outcomes: ScenarioOutcome[] = [];
  for (const scenario of scenarios) {
    if (ctx.signal.aborted) break;
    try {
      await isolate(infra, opts.config?.reset);
    } catch (err) {
      ctx.log(`run: isolation before ${scenario} failed: ${messageOf(err)}`);
      outcomes.push({ scenario, exitCode: exitCodeOf(err), resultsDir: null, verdict: null });
      continue;
    }
    outcomes.push(await runScenario(opts, scenario, { ...ctx, infra }));
  }
  return outcomes;
}

/** `run all`: the union of the services up once, every scenario, a summary of the exit codes. */
export async function runAll(opts: RunOptions, ctx: RunContext): Promise<number> {
  const names = scenariosOfAll(opts);
  prepareAll(opts, names);
  const own = opts.targetUrl !== undefined;
  const entries = names.map((s) => entryOf(opts, s)!);
  const services = [...new Set(entries.flatMap((e) => servicesFor(e, own)))];
  const declared = entries.find((e) => e.infraOptions); // every scenario of one config shares its services' options
  const dir = createResultsDir(opts.resultsRoot, 'all', (ctx.now ?? (() => new Date()))());
  const teardown = new Teardown((w) => ctx.log(`warning: ${w}`));
  let outcomes: ScenarioOutcome[] = [];
  let failure: number | null = null;
  try {
    const infra = await infraUp(
      {
        provider: opts.infra,
        services,
        options: declared?.infraOptions,
        configFile: declared?.configFile,
        logDir: dir.logs,
        progress: opts.progress,
        signal: ctx.signal,
      },
      teardown,
    );
    outcomes = await runScenariosOn(opts, names, infra, ctx);
  } catch (err) {
    ctx.log(`run all: ${messageOf(err)}`);
    failure = exitCodeOf(err);
  } finally {
    await teardown.run();
  }
  const codes = [...outcomes.map((o) => o.exitCode), ...(failure !== null ? [failure] : [])];
  const exitCode = ctx.signal.aborted
    ? ctx.signal.reason instanceof RunInternalError
      ? 1
      : RunExit.EXTERNAL_ABORT
    : worstExit(codes);
  writeJson(join(dir.dir, 'all.json'), {
    exitCode,
    scenarios: outcomes.map(({ scenario, exitCode: code, resultsDir }) => ({ scenario, exitCode: code, resultsDir })),
  });
  ctx.out('\nscenario      exit  meaning\n');
  for (const o of outcomes)
    ctx.out(`${o.scenario.padEnd(12)}  ${String(o.exitCode).padEnd(4)}  ${exitMeaning(o.exitCode)}\n`);
  ctx.out(`all: exit ${exitCode} (${exitMeaning(exitCode)}); infra logs: ${dir.logs}\n`);
  return exitCode;
}
