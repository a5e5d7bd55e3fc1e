/**
 * `capacity <scenario>` (docs/capacity.md): the highest load the service sustains within the
 * scenario's own thresholds. One bring-up of the stack, then short steps at rising load chosen by
 * CapacitySearch (geometric growth, then bisection), each from reset stores after an unmeasured
 * warm-up, each judged as `run` judges a scenario. The stack watch runs for the whole search: a
 * component that fails ends it with that component's exit code. Then the gates (--min,
 * --baseline), the folder's files and the exit code.
 */
import { join } from 'node:path';
import { bundleScenario } from '../bundle.ts';
import { RunExit, RunInternalError, messageOf } from '../errors.ts';
import { exitCodeOf } from '../finish.ts';
import { componentError } from '../pipeline.ts';
import { prepare } from '../prepare.ts';
import type { RunContext } from '../record.ts';
import { createResultsDir, type ResultsDir } from '../results-dir.ts';
import { exitMeaning } from '../summary-md.ts';
import { Teardown } from '../teardown.ts';
import { StackWatch, type ComponentFailure } from '../watch.ts';
import { formatNumber } from '../format.ts';
import type { CapacityOptions } from './options.ts';
import { writeCapacityFiles } from './output.ts';
import { resultOf, viewOf, type CapacityResult } from './result.ts';
import { CapacitySearch } from './search.ts';
import { capacityStackUp } from './stack.ts';
import { runStep, type StepResult } from './step.ts';

export interface CapacityOutcome {
  exitCode: number;
  dir: string;
  result: CapacityResult | null;
  steps: StepResult[];
}

/** Steps until the search stops, a step cannot be judged, or the run is stopped. */
async function search(
  copts: CapacityOptions,
  ctx: RunContext,
  dir: ResultsDir,
  teardown: Teardown,
  steps: StepResult[],
): Promise<CapacitySearch> {
  const prepared = prepare(copts.run, copts.run.scenario);
  const entry = prepared.entry;
  const bundle = await bundleScenario(entry.name, {
    build: copts.run.build,
    ...(entry.scriptFile ? { src: entry.scriptFile, out: dir.file('script.js') } : {}),
  });
  const stack = await capacityStackUp(copts.run, entry, dir.logs, ctx, teardown);
  if (stack.components.length)
    ctx.log(`capacity: watching ${stack.components.map((c) => `${c.name} ${c.address ?? ''}${c.pid !== undefined ? ` (pid ${c.pid})` : ''}`).join(', ')}`); // prettier-ignore
  let failure: ComponentFailure | undefined;
  const abort = new AbortController();
  const watch = new StackWatch(stack.components, {
    graceMs: copts.run.healthGraceMs,
    onFailure: (f) => {
      failure = f;
      teardown.urgent = true;
      ctx.log(`capacity: ${f.component} failed at ${f.since.toISOString()} (${f.reason}); stopping the search`);
      abort.abort(f);
    },
  }).start();
  const signal = AbortSignal.any([ctx.signal, abort.signal]);
  const s = new CapacitySearch(copts.search);
  try {
    const env = { copts, prepared, stack, bundle, ctx: { ...ctx, signal }, failure: () => failure, stopSignal: ctx.signal }; // prettier-ignore
    for (let load = s.next(); load !== null && !signal.aborted; load = s.next()) {
      ctx.log(`capacity: step ${steps.length + 1} at ${formatNumber(load)} ${copts.knob.unit}`);
      const step = await runStep(env, steps.length + 1, load, join(dir.dir, 'steps'));
      steps.push(step);
      const p95 = step.repeats.map((r) => formatNumber(r.p95)).join(', ');
      ctx.log(`capacity: step ${step.index} at ${formatNumber(load)}: ${step.errorExit !== null ? `exit ${step.errorExit} (${exitMeaning(step.errorExit)})` : `${step.held ? 'holds' : 'breaks'} (p95 ${p95})`}`); // prettier-ignore
      if (step.errorExit !== null) break;
      s.record(load, step.held);
    }
  } catch (err) {
    // A store reset that failed because a component is down: the component's failure is the cause.
    throw failure ? componentError(failure) : err;
  } finally {
    watch.stop();
  }
  // A component that failed between steps ends the search with its code too.
  if (failure && !steps.some((x) => x.errorExit !== null)) throw componentError(failure);
  return s;
}

export async function runCapacity(copts: CapacityOptions, ctx: RunContext): Promise<CapacityOutcome> {
  const startTime = (ctx.now ?? (() => new Date()))();
  const { entry, engine } = prepare(copts.run, copts.run.scenario);
  const dir = createResultsDir(copts.run.resultsRoot, `capacity-${entry.name}`, startTime);
  ctx.log(`capacity: ${copts.run.scenario} → ${dir.dir}`);
  const teardown = new Teardown((w) => ctx.log(`warning: ${w}`));
  const steps: StepResult[] = [];
  let s: CapacitySearch | null = null;
  let failure: number | null = null;
  try {
    s = await search(copts, ctx, dir, teardown, steps);
  } catch (err) {
    ctx.log(`capacity: ${messageOf(err)}`);
    failure = exitCodeOf(err);
  } finally {
    await teardown.run();
  }
  const aborted = ctx.signal.aborted;
  // A search cut short by an error still reports what its finished steps showed.
  const held = steps.filter((x) => x.held).map((x) => x.load);
  const broke = steps.filter((x) => !x.held && x.errorExit === null).map((x) => x.load);
  const lo = s ? s.state.lo : held.length ? Math.max(...held) : null;
  const hi = s ? s.state.hi : broke.length ? Math.min(...broke) : null;
  const result = resultOf(copts, steps, lo, hi, s?.state.stop ?? null);
  if (aborted)
    result.exitCode = ctx.signal.reason instanceof RunInternalError ? ctx.signal.reason.exitCode : RunExit.EXTERNAL_ABORT; // prettier-ignore
  else if (failure !== null) result.exitCode = failure;
  if (aborted || failure !== null) result.verdictText += `; the search did not finish (exit ${result.exitCode})`;
  const view = viewOf(copts, result, steps, dir.dir);
  await writeCapacityFiles({ copts, result, view, startTime, endTime: new Date(), engine: engine.kind }, dir, ctx.log);
  ctx.out(`\n${result.verdictText}\n`);
  for (const g of result.gates) ctx.out(`gate ${g.name} ${g.expression}: ${g.ok ? 'pass' : 'FAIL'} (observed ${formatNumber(g.observed)}${g.note ? `; ${g.note}` : ''})\n`); // prettier-ignore
  ctx.out(`capacity ${copts.run.scenario}: exit ${result.exitCode} (${exitMeaning(result.exitCode)}); results: ${dir.dir}\n`); // prettier-ignore
  return { exitCode: result.exitCode, dir: dir.dir, result, steps };
}
