/** k6's `per-vu-iterations`: each VU runs the same number of iterations. */
import { OptionReader, type BaseConfig } from './base-config.ts';
import type { Executor } from './context.ts';
import { canLoop, epochAt, Inflight, releaseVus, takeVus, waitUntil } from './helpers.ts';
import { scaleInt } from '../options/segment.ts';

export interface PerVuIterationsConfig extends BaseConfig {
  readonly vus: number;
  readonly iterations: number;
  readonly maxDuration: number;
}

export const perVuIterations: Executor<PerVuIterationsConfig> = {
  parse(name, raw, problems) {
    const r = new OptionReader(name, raw);
    const config = {
      ...r.base(),
      vus: r.int('vus', 1, 1),
      iterations: r.int('iterations', 1, 1),
      maxDuration: r.duration('maxDuration', 600_000, 1000),
    };
    r.unknownKeys(['vus', 'iterations', 'maxDuration']);
    problems.push(...r.problems);
    return config;
  },
  maxVus: (c) => c.vus,
  plannedVus: (c) => c.vus,
  maxDuration: (c) => c.maxDuration + c.gracefulStop,

  async run(ctx, c) {
    const vuCount = scaleInt(c.vus, ctx.segment);
    if (vuCount === 0) return;
    const scn = ctx.scenario;
    const total = vuCount * c.iterations;
    scn.progress = () => Math.min(1, scn.iterationsCompleted / total);
    const vus = await takeVus(ctx, vuCount);
    const inflight = new Inflight(ctx);
    const loops = vus.map(async (vu) => {
      if (canLoop(ctx, vu)) {
        if (ctx.stop.aborted) return;
        await inflight.loop(vu, {
          untilEpoch: epochAt(ctx, c.maxDuration),
          maxIterations: c.iterations,
          sharedLimit: Infinity,
          segment: ctx.segment,
          progress: { total },
        });
        return;
      }
      for (let i = 0; i < c.iterations && ctx.clock.now() < c.maxDuration && !ctx.stop.aborted; i++) {
        await inflight.start(vu);
      }
    });
    await Promise.race([Promise.all(loops), waitUntil(ctx, c.maxDuration)]);
    await inflight.drain(c.maxDuration + c.gracefulStop);
    releaseVus(ctx, inflight, vus);
  },
};
