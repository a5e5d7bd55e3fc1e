/** k6's `shared-iterations`: a fixed number of iterations shared by a fixed number of VUs. */
import { OptionReader, type BaseConfig } from './base-config.ts';
import type { Executor } from './context.ts';
import { canLoop, epochAt, Inflight, releaseVus, takeVus, waitUntil } from './helpers.ts';
import { scaleInt } from '../options/segment.ts';

export interface SharedIterationsConfig extends BaseConfig {
  readonly vus: number;
  readonly iterations: number;
  readonly maxDuration: number;
}

export const sharedIterations: Executor<SharedIterationsConfig> = {
  parse(name, raw, problems) {
    const r = new OptionReader(name, raw);
    const config = {
      ...r.base(),
      vus: r.int('vus', 1, 1),
      iterations: r.int('iterations', 1, 1),
      maxDuration: r.duration('maxDuration', 600_000, 1000),
    };
    if (config.iterations < config.vus) {
      r.problem(
        'iterations',
        `the number of iterations (${config.iterations}) can't be less than the number of VUs (${config.vus})`,
      );
    }
    r.unknownKeys(['vus', 'iterations', 'maxDuration']);
    problems.push(...r.problems);
    return config;
  },
  maxVus: (c) => c.vus,
  plannedVus: (c) => c.vus,
  maxDuration: (c) => c.maxDuration + c.gracefulStop,

  async run(ctx, c) {
    const total = scaleInt(c.iterations, ctx.segment);
    const vuCount = Math.min(scaleInt(c.vus, ctx.segment), total);
    if (vuCount === 0) return;
    const scn = ctx.scenario;
    scn.progress = () => Math.min(1, scn.iterationsCompleted / total);
    const vus = await takeVus(ctx, vuCount);
    const inflight = new Inflight(ctx);
    let claimed = 0;
    const loops = vus.map(async (vu) => {
      if (canLoop(ctx, vu)) {
        // The VU loops on its own thread; the scenario's shared counter keeps the total exact.
        if (ctx.stop.aborted) return;
        await inflight.loop(vu, {
          untilEpoch: epochAt(ctx, c.maxDuration),
          maxIterations: Infinity,
          sharedLimit: total,
          segment: ctx.segment,
          progress: { total },
        });
        return;
      }
      while (claimed < total && ctx.clock.now() < c.maxDuration && !ctx.stop.aborted) {
        claimed++;
        await inflight.start(vu);
      }
    });
    await Promise.race([Promise.all(loops), waitUntil(ctx, c.maxDuration)]);
    await inflight.drain(c.maxDuration + c.gracefulStop);
    releaseVus(ctx, inflight, vus);
  },
};
