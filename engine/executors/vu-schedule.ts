/**
 * The VU plan of `constant-vus` and `ramping-vus`: for each VU (global index j, from 0) the time
 * intervals in which it is active, and the loop that runs a VU's iterations over its intervals.
 *
 * The VU count follows the stages linearly: going up, VU j+1 starts when the interpolated target
 * reaches j+1; going down, it stops when the target falls to j or below; at every stage boundary the
 * count equals the stage's target. A VU whose interval ends mid-iteration keeps running that
 * iteration for up to gracefulRampDown, then it is interrupted. At the end of the last stage the
 * running iterations get gracefulStop.
 */
import type { Stage } from './base-config.ts';
import type { ExecVu, ExecutorContext } from './context.ts';
import { canLoop, epochAt, Inflight, releaseVus, takeVus, waitUntil } from './helpers.ts';
import { owns } from '../options/segment.ts';

export type Interval = [start: number, end: number];

export interface VuPlan {
  /** intervals[j] for global VU index j. */
  readonly intervals: Interval[][];
  /** End of the last stage (ms). */
  readonly end: number;
}

/** Active intervals of every VU for a start count and stages. */
export function planVus(startVus: number, stages: readonly Stage[]): VuPlan {
  const max = Math.max(startVus, ...stages.map((s) => s.target));
  const intervals: Interval[][] = Array.from({ length: max }, () => []);
  let t0 = 0;
  let from = startVus;
  for (const { duration: d, target: to } of stages) {
    const t1 = t0 + d;
    for (let j = 1; j <= max && d > 0; j++) {
      let span: Interval | null = null;
      if (j <= Math.min(from, to)) span = [t0, t1];
      else if (to > from && j <= to) span = [t0 + (d * (j - from)) / (to - from), t1];
      else if (from > to && j <= from) span = [t0, t0 + (d * (from - j + 1)) / (from - to)];
      if (span && span[1] > span[0]) addInterval(intervals[j - 1]!, span);
    }
    from = to;
    t0 = t1;
  }
  return { intervals, end: t0 };
}

function addInterval(list: Interval[], span: Interval): void {
  const last = list[list.length - 1];
  if (last && Math.abs(last[1] - span[0]) < 1e-9) last[1] = span[1];
  else list.push(span);
}

/** The VU count the plan has at time t (for tests and the progress line). */
export function activeAt(plan: VuPlan, t: number): number {
  return plan.intervals.filter((list) => list.some(([s, e]) => t >= s && t < e)).length;
}

/** Runs this worker's VUs of a plan. */
export async function runPlan(
  ctx: ExecutorContext,
  plan: VuPlan,
  gracefulStop: number,
  gracefulRampDown: number,
): Promise<void> {
  const mine = plan.intervals.map((list, j) => ({ list, j })).filter(({ j }) => owns(ctx.segment, j));
  if (mine.length === 0) return;
  const scn = ctx.scenario;
  scn.progress = () => (plan.end === 0 ? 1 : Math.min(1, ctx.clock.now() / plan.end));
  const vus = await takeVus(ctx, mine.length);
  const inflight = new Inflight(ctx);
  const loops = mine.map(({ list }, i) => vuLoop(ctx, inflight, vus[i]!, list, plan.end, gracefulRampDown));
  await Promise.race([Promise.all(loops), waitUntil(ctx, plan.end)]);
  await inflight.drain(plan.end + gracefulStop);
  releaseVus(ctx, inflight, vus);
}

async function vuLoop(
  ctx: ExecutorContext,
  inflight: Inflight,
  vu: ExecVu,
  list: Interval[],
  end: number,
  rampDown: number,
): Promise<void> {
  for (const [start, stop] of list) {
    await waitUntil(ctx, start);
    if (stop >= end && canLoop(ctx, vu) && !ctx.stop.aborted && ctx.clock.now() < stop) {
      // Up to the end of the last stage: the VU loops on its own thread (no ramp-down to watch).
      await inflight.loop(vu, {
        untilEpoch: epochAt(ctx, stop),
        maxIterations: Infinity,
        sharedLimit: Infinity,
        segment: ctx.segment,
        progress: { endEpoch: epochAt(ctx, end) },
      });
      continue;
    }
    while (!ctx.stop.aborted && ctx.clock.now() < stop) {
      const iteration = inflight.start(vu);
      if (stop >= end) {
        await iteration;
        continue;
      }
      // Ramp-down: the iteration may run until stop + gracefulRampDown, then it is interrupted.
      const timer = new AbortController();
      ctx.clock.sleepUntil(stop + rampDown, timer.signal).then(
        () => vu.interrupt(),
        () => undefined,
      );
      await iteration;
      timer.abort();
    }
  }
}
