/** Executor timing on virtual time: VU counts at stage boundaries, arrival schedules, drops, segments. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenarios, executorOf } from '../../../engine/executors/index.ts';
import { activeAt, planVus } from '../../../engine/executors/vu-schedule.ts';
import { RatePlan } from '../../../engine/executors/arrival.ts';
import { subSegment } from '../../../engine/options/segment.ts';
import type { BaseConfig } from '../../../engine/executors/base-config.ts';
import { FakePool, VirtualClock, fakeContext } from '../helpers/virtual-clock.ts';

function config(raw: Record<string, unknown>): BaseConfig {
  const { configs, problems } = parseScenarios({ s: raw });
  assert.deepEqual(problems, []);
  return configs[0]!;
}

async function runVirtual(
  raw: Record<string, unknown>,
  iterationMs: number,
  until: number,
  segment = subSegment({ from: 0, to: 1 }, 0, 1),
) {
  const clock = new VirtualClock();
  const pool = new FakePool(clock, iterationMs);
  const c = config(raw);
  const f = fakeContext(clock, pool, c, segment);
  const done = executorOf(c).run(f.ctx, c);
  await clock.advance(until);
  await done;
  return { ...f, pool, clock };
}

describe('ramping-vus plan', () => {
  const plan = planVus(0, [
    { duration: 1000, target: 4 },
    { duration: 1000, target: 4 },
    { duration: 1000, target: 0 },
  ]);

  it('has each stage target at the stage boundaries', () => {
    assert.equal(activeAt(plan, 0), 0);
    assert.equal(activeAt(plan, 1000), 4);
    assert.equal(activeAt(plan, 2000), 4);
    assert.equal(activeAt(plan, 3000), 0);
  });

  it('interpolates linearly within a stage', () => {
    assert.equal(activeAt(plan, 500), 2);
    assert.equal(activeAt(plan, 2500), 2);
  });

  it('keeps startVUs before the first stage moves', () => {
    const p = planVus(3, [{ duration: 1000, target: 3 }]);
    assert.equal(activeAt(p, 0), 3);
    assert.equal(activeAt(p, 999), 3);
  });
});

describe('VU-based executors on virtual time', () => {
  it('runs exactly the shared iterations, split over segments without loss', async () => {
    let total = 0;
    for (const i of [0, 1, 2]) {
      const r = await runVirtual(
        { executor: 'shared-iterations', vus: 10, iterations: 100 },
        10,
        10_000,
        subSegment({ from: 0, to: 1 }, i, 3),
      );
      total += r.scenario.iterationsCompleted;
    }
    assert.equal(total, 100);
  });

  it('runs constant-vus iterations back to back for the duration', async () => {
    const r = await runVirtual({ executor: 'constant-vus', vus: 2, duration: '1s' }, 100, 40_000);
    assert.equal(r.scenario.iterationsCompleted, 20);
    assert.equal(r.pool.log.maxRunning, 2);
  });

  it('interrupts iterations still running after gracefulStop', async () => {
    const r = await runVirtual({ executor: 'constant-vus', vus: 1, duration: '1s', gracefulStop: '1s' }, 5000, 40_000);
    assert.equal(r.scenario.iterationsInterrupted, 1);
  });

  it('follows the ramping-vus stages with the number of running VUs', async () => {
    const clock = new VirtualClock();
    const pool = new FakePool(clock, 50);
    const c = config({
      executor: 'ramping-vus',
      startVUs: 0,
      gracefulRampDown: '0s',
      stages: [
        { duration: '1s', target: 4 },
        { duration: '1s', target: 4 },
        { duration: '1s', target: 0 },
      ],
    });
    const f = fakeContext(clock, pool, c);
    const done = executorOf(c).run(f.ctx, c);
    const seen: Record<number, number> = {};
    for (const t of [1025, 2000, 3100]) {
      await clock.advance(t);
      seen[t] = pool.log.running;
    }
    await clock.advance(40_000);
    await done;
    assert.ok(Math.abs(seen[1025]! - 4) <= 1, `at 1s: ${seen[1025]}`);
    assert.ok(Math.abs(seen[2000]! - 4) <= 1, `at 2s: ${seen[2000]}`);
    assert.equal(seen[3100], 0);
  });
});

describe('arrival-rate executors on virtual time', () => {
  it('starts iterations at absolute times k * timeUnit / rate', async () => {
    const r = await runVirtual(
      { executor: 'constant-arrival-rate', rate: 50, duration: '4s', preAllocatedVUs: 5, maxVUs: 20 },
      30,
      40_000,
    );
    assert.equal(r.scenario.iterationsCompleted, 200);
    assert.deepEqual(r.pool.log.starts.slice(0, 4), [0, 20, 40, 60]);
    assert.equal(r.drops.length, 0);
  });

  it('splits arrivals over segments without loss or overlap', async () => {
    const starts: number[] = [];
    for (const i of [0, 1]) {
      const r = await runVirtual(
        { executor: 'constant-arrival-rate', rate: 50, duration: '4s', preAllocatedVUs: 5, maxVUs: 20 },
        30,
        40_000,
        subSegment({ from: 0, to: 1 }, i, 2),
      );
      starts.push(...r.pool.log.starts);
    }
    starts.sort((a, b) => a - b);
    assert.equal(starts.length, 200);
    assert.equal(new Set(starts).size, 200);
  });

  it('drops iterations when maxVUs are all busy', async () => {
    const r = await runVirtual(
      { executor: 'constant-arrival-rate', rate: 20, duration: '2s', preAllocatedVUs: 1, maxVUs: 1 },
      500,
      40_000,
    );
    assert.equal(r.scenario.iterationsCompleted + r.drops.length, 40);
    assert.equal(r.scenario.iterationsCompleted, 4);
  });

  it('integrates a ramping rate: 0 to 10/s over 2 s starts 10 iterations', () => {
    const plan = new RatePlan(0, [{ duration: 2000, target: 10 }], 1000);
    const times = Array.from({ length: 12 }, (_, k) => plan.timeOf(k)).filter(
      (t): t is number => t !== null && t < plan.end,
    );
    assert.equal(times.length, 10);
    assert.ok(Math.abs(times[1]! - Math.sqrt(400_000)) < 1e-6);
  });

  it('runs ramping-arrival-rate stages', async () => {
    const r = await runVirtual(
      {
        executor: 'ramping-arrival-rate',
        startRate: 10,
        preAllocatedVUs: 2,
        maxVUs: 10,
        stages: [
          { duration: '1s', target: 10 },
          { duration: '1s', target: 30 },
        ],
      },
      10,
      40_000,
    );
    assert.equal(r.scenario.iterationsCompleted, 30);
  });
});
