/**
 * The open model shared by `constant-arrival-rate` and `ramping-arrival-rate`.
 *
 * The rate is piecewise linear in time (iterations per timeUnit). Iteration k (global, from 0)
 * starts when the cumulative arrivals reach k: every start time is computed from the scenario's
 * monotonic clock, never by chaining timers, so lateness does not accumulate. A worker starts only
 * the k its segment owns. With no idle VU, a new one is initialized up to maxVUs; beyond that the
 * iteration is dropped (dropped_iterations, k6's one-time warning).
 */
import type { ExecVu, ExecutorContext } from './context.ts';
import { Inflight, releaseVus, waitUntil } from './helpers.ts';
import { owns, scaleInt } from '../options/segment.ts';

interface RateStage {
  t0: number;
  d: number;
  r0: number; // iterations per ms at t0
  r1: number;
  n0: number; // cumulative iterations at t0
}

export class RatePlan {
  private readonly stages: RateStage[] = [];
  readonly end: number;

  /** `points`: successive (duration ms, rate at its end); `startRate` at t=0; rates per `timeUnit` ms. */
  constructor(startRate: number, points: ReadonlyArray<{ duration: number; target: number }>, timeUnit: number) {
    let t0 = 0;
    let n0 = 0;
    let r0 = startRate / timeUnit;
    for (const p of points) {
      const r1 = p.target / timeUnit;
      this.stages.push({ t0, d: p.duration, r0, r1, n0 });
      n0 += ((r0 + r1) / 2) * p.duration;
      t0 += p.duration;
      r0 = r1;
    }
    this.end = t0;
  }

  /** Start time (ms) of iteration k, or null when it falls after the end. */
  timeOf(k: number): number | null {
    for (const s of this.stages) {
      const n1 = s.n0 + ((s.r0 + s.r1) / 2) * s.d;
      if (k >= n1 - 1e-9 || s.d === 0) continue;
      const need = k - s.n0;
      const a = (s.r1 - s.r0) / (2 * s.d);
      if (Math.abs(a) < 1e-15) return s.t0 + need / s.r0;
      const x = (-s.r0 + Math.sqrt(s.r0 * s.r0 + 4 * a * need)) / (2 * a);
      return s.t0 + x;
    }
    return null;
  }
}

export interface ArrivalLimits {
  preAllocatedVUs: number;
  maxVUs: number;
  gracefulStop: number;
}

/** Runs this worker's share of an arrival-rate scenario. */
export async function runArrivals(ctx: ExecutorContext, plan: RatePlan, limits: ArrivalLimits): Promise<void> {
  const maxVus = scaleInt(limits.maxVUs, ctx.segment);
  const scn = ctx.scenario;
  scn.progress = () => (plan.end === 0 ? 1 : Math.min(1, ctx.clock.now() / plan.end));
  const idle: ExecVu[] = [];
  const all: ExecVu[] = [];
  for (let i = scaleInt(limits.preAllocatedVUs, ctx.segment); i > 0; i--)
    all.push(ctx.vus.idle() ?? (await ctx.vus.create()));
  idle.push(...all);
  let pending = 0;
  const inflight = new Inflight(ctx);
  const back = (vu: ExecVu) => () => void idle.push(vu);
  for (let k = 0; !ctx.stop.aborted; k++) {
    if (!owns(ctx.segment, k)) continue;
    const at = plan.timeOf(k);
    if (at === null || at >= plan.end) break;
    if (at > ctx.clock.now()) await waitUntil(ctx, at);
    if (ctx.stop.aborted) break;
    let vu = idle.pop();
    if (!vu && all.length + pending < maxVus) {
      if (ctx.vus.cheapCreate) {
        vu = ctx.vus.idle() ?? (await ctx.vus.create());
        all.push(vu);
      } else {
        // Slow init (a thread): start it in the background and drop this iteration, as k6 does.
        pending++;
        ctx.vus.create().then(
          (v) => {
            pending--;
            all.push(v);
            idle.push(v);
          },
          () => {
            pending--;
          },
        );
      }
    }
    if (!vu) {
      scn.dropped++;
      ctx.dropped(1, all.length >= maxVus ? all.length : null);
      continue;
    }
    void inflight.start(vu, k).then(back(vu));
  }
  await inflight.drain(plan.end + limits.gracefulStop);
  releaseVus(ctx, inflight, all);
}
