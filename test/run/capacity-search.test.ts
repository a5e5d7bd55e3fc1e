/**
 * The capacity search's pure parts: the step planner (growth, bisection, stops) against a service
 * simulated by a known capacity, the knob and main trend of a scenario, and the result's gates.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CapacitySearch, searchConfigProblems, type SearchConfig } from '../../run/capacity/search.ts';
import { knobOf, mainTrendOf } from '../../run/capacity/knob.ts';
import { median, resultOf } from '../../run/capacity/result.ts';
import { toCapacityOptions, type CapacityOptions, type CliCapacityOptions } from '../../run/capacity/options.ts';
import type { RunConfigError } from '../../run/errors.ts';
import type { StepResult } from '../../run/capacity/step.ts';
import type { ThresholdFile } from '../../run/thresholds-file.ts';

const base: SearchConfig = { start: 1, growth: 2, resolution: 0.05, maxSteps: 20, maxLoad: 1000, integer: true };

/** Runs the search against a service that holds up to `capacity` inclusive; returns the loads tried. */
function simulate(config: SearchConfig, capacity: number): { search: CapacitySearch; loads: number[] } {
  const search = new CapacitySearch(config);
  const loads: number[] = [];
  for (let load = search.next(); load !== null; load = search.next()) {
    loads.push(load);
    search.record(load, load <= capacity);
  }
  return { search, loads };
}

describe('CapacitySearch', () => {
  it('grows geometrically, then bisects to the exact capacity of an integer knob', () => {
    const { search, loads } = simulate(base, 37);
    assert.deepEqual(loads.slice(0, 7), [1, 2, 4, 8, 16, 32, 64]);
    assert.equal(search.state.lo, 37);
    assert.equal(search.state.hi, 38);
    assert.equal(search.state.stop, 'resolution');
  });

  it('stops a fractional knob within the resolution of the true capacity', () => {
    for (const capacity of [3.3, 7.77, 41.2, 150]) {
      const { search } = simulate({ ...base, integer: false, resolution: 0.05 }, capacity);
      const { lo, hi } = search.state;
      assert.ok(lo !== null && hi !== null && lo <= capacity && hi > capacity, `${capacity}: ${lo}..${hi}`);
      assert.ok((hi - lo) / hi <= 0.05, `${capacity}: bracket ${lo}..${hi} wider than 5 %`);
    }
  });

  it('needs about log2(capacity) + log2(1/resolution) steps', () => {
    const { loads } = simulate({ ...base, integer: false }, 100);
    assert.ok(loads.length <= Math.ceil(Math.log2(100)) + Math.ceil(Math.log2(1 / 0.05)) + 1, `${loads.length} steps`);
  });

  it('stops at --max-steps with the best bracket so far', () => {
    const { search, loads } = simulate({ ...base, maxSteps: 4 }, 100);
    assert.equal(loads.length, 4);
    assert.equal(search.state.stop, 'max-steps');
    assert.equal(search.state.lo, 8);
  });

  it('reports a capacity of at least --max-load when every step holds', () => {
    const { search, loads } = simulate({ ...base, maxLoad: 10 }, 1e9);
    assert.deepEqual(loads, [1, 2, 4, 8, 10]);
    assert.equal(search.state.stop, 'max-load');
    assert.equal(search.state.lo, 10);
  });

  it('stops at once when the starting load breaks', () => {
    const { search, loads } = simulate({ ...base, start: 4 }, 2);
    assert.deepEqual(loads, [4]);
    assert.equal(search.state.stop, 'below-start');
    assert.equal(search.state.lo, null);
  });

  it('names every bad option at once', () => {
    const problems = searchConfigProblems({ start: 0, growth: 1, resolution: 2, maxSteps: 0, maxLoad: -1, integer: true }); // prettier-ignore
    for (const option of ['--start', '--growth', '--resolution', '--max-steps', '--max-load'])
      assert.ok(
        problems.some((p) => p.startsWith(option)),
        `${option} in ${problems.join('; ')}`,
      );
  });
});

describe('knob and main trend', () => {
  it('turns RATE for open-model scenarios and VUS for closed ones', () => {
    assert.equal(knobOf('load', {})?.env, 'RATE');
    assert.equal(knobOf('queue', {})?.env, 'VUS');
    assert.equal(knobOf('llm-stream', {})?.unit, 'concurrent streams');
    assert.deepEqual(
      [knobOf('llm-stream', { LOAD: 'rate' })?.env, knobOf('llm-stream', { LOAD: 'rate' })?.integer],
      ['RATE', false],
    );
    assert.equal(knobOf('bulk', {}), null);
    assert.equal(knobOf('my-scenario', {}, 'VUS')?.env, 'VUS');
  });

  it('takes the first latency threshold and its tightest upper bound', () => {
    const file = {
      file: 'x.json',
      thresholds: { e2e_success: ['rate>=0.9'], e2e_duration: ['p(95)<5000', 'p(99)<=4000', 'avg>1'] },
      run: {},
      regression: [],
    } as ThresholdFile;
    assert.deepEqual(mainTrendOf(file), { metric: 'e2e_duration', bound: 4000 });
    assert.equal(mainTrendOf(file, 'e2e_success'), null);
  });
});

describe('result and gates', () => {
  const copts = (extra: Partial<CapacityOptions>): CapacityOptions =>
    ({
      run: { scenario: 'load' },
      knob: { env: 'RATE', unit: 'req/s', model: 'open', integer: true },
      trend: { metric: 'e2e_duration', bound: 5000 },
      search: base,
      stepDuration: '5s',
      warmup: '1s',
      repeat: 1,
      ...extra,
    }) as CapacityOptions;
  const step = (index: number, load: number, held: boolean, errorExit: number | null = null): StepResult => ({
    index,
    load,
    held,
    errorExit,
    dir: `/r/steps/${index}`,
    repeats: [
      {
        exitCode: errorExit ?? (held ? 0 : 99),
        held,
        achieved: load,
        goodput: load,
        p50: 1,
        p95: 2,
        p99: 3,
        errorRate: 0,
        peakRssMb: 50,
        failed: held ? [] : [{ source: 'threshold', metric: 'e2e_duration', expression: 'p(95)<5000', observed: 6000, ok: false }], // prettier-ignore
        dir: `/r/steps/${index}`,
      },
    ],
  });
  const steps = [step(1, 4, true), step(2, 8, false), step(3, 6, true), step(4, 7, false)];

  it('names the first breach above the capacity with its observed value', () => {
    const r = resultOf(copts({}), steps, 6, 7, 'resolution');
    assert.equal(r.capacity, 6);
    assert.deepEqual(r.breaking, { load: 7, metric: 'e2e_duration', expression: 'p(95)<5000', observed: 6000 });
    assert.equal(r.exitCode, 0);
  });

  it('exits 99 when the capacity is below --min, 0 when at or above it', () => {
    assert.equal(resultOf(copts({ min: 7 }), steps, 6, 7, 'resolution').exitCode, 99);
    assert.equal(resultOf(copts({ min: 6 }), steps, 6, 7, 'resolution').exitCode, 0);
    assert.equal(resultOf(copts({ min: 1 }), [step(1, 4, false)], null, 4, 'below-start').exitCode, 99);
  });

  it('exits 99 when the capacity dropped by more than --max-drop from the baseline', () => {
    const b = (capacity: number) => copts({ baseline: { dir: '/b', capacity, maxDropPct: 10 } });
    assert.equal(resultOf(b(6.6), steps, 6, 7, 'resolution').exitCode, 0); // -9.1 %
    assert.equal(resultOf(b(6.7), steps, 6, 7, 'resolution').exitCode, 99); // -10.4 %
  });

  it("ends with an unjudged step's own exit code, gates not evaluated", () => {
    const r = resultOf(copts({ min: 1 }), [step(1, 4, true), step(2, 8, false, 113)], 4, null, null);
    assert.equal(r.exitCode, 113);
    assert.equal(r.gates.length, 0);
  });

  it('takes medians over repeats', () => {
    assert.equal(median([3, null, 1, 2]), 2);
    assert.equal(median([4, 1]), 2.5);
    assert.equal(median([null]), null);
  });
});

describe('capacity options', () => {
  const cli = (extra: Partial<CliCapacityOptions>): CliCapacityOptions => ({
    engine: 'node',
    infra: 'external',
    env: [],
    results: 'results',
    build: true,
    progress: 'silent',
    growth: '2',
    resolution: '5',
    maxSteps: '12',
    maxLoad: '1000',
    stepDuration: '10s',
    warmup: '3s',
    repeat: '1',
    maxDrop: '10',
    ...extra,
  });

  it('names every bad option at once (exit 104 before anything starts)', () => {
    const bad = cli({ growth: '1', resolution: '150', maxSteps: '0', stepDuration: 'soon', warmup: 'x', repeat: '1.5', min: '-3', env: ['RATE=5'] }); // prettier-ignore
    assert.throws(
      () => toCapacityOptions('load', bad),
      (err: RunConfigError) => {
        for (const option of [
          '--growth',
          '--resolution',
          '--max-steps',
          '--step-duration',
          '--warmup',
          '--repeat',
          '--min',
          '-e RATE',
        ])
          assert.ok(
            err.problems.some((p) => p.startsWith(option)),
            `${option} in ${err.problems.join('; ')}`,
          );
        return err.exitCode === 104;
      },
    );
  });

  it('refuses a scenario without a load knob, a script path, and a baseline folder without capacity.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k6-llm-perf-capacity-opts-'));
    try {
      assert.throws(() => toCapacityOptions('bulk', cli({})), /scenario bulk: no load knob known; pass --knob/);
      assert.throws(() => toCapacityOptions('./scripts/load.ts', cli({ knob: 'RATE' })), /not a script path/);
      assert.throws(() => toCapacityOptions('load', cli({ baseline: dir })), /--baseline .*: no capacity\.json/);
      writeFileSync(
        join(dir, 'capacity.json'),
        JSON.stringify({ scenario: 'queue', knob: { env: 'VUS' }, capacity: 3 }),
      );
      assert.throws(() => toCapacityOptions('load', cli({ baseline: dir })), /field "scenario" is "queue", expected "load"/); // prettier-ignore
      writeFileSync(
        join(dir, 'capacity.json'),
        JSON.stringify({ scenario: 'load', knob: { env: 'RATE' }, capacity: 40 }),
      );
      assert.deepEqual(toCapacityOptions('load', cli({ baseline: dir, maxDrop: '20' })).baseline, { dir, capacity: 40, maxDropPct: 20 }); // prettier-ignore
      // without --max-drop: the threshold file's capacity.maxDropPct, else 10
      assert.equal(toCapacityOptions('load', cli({ baseline: dir, maxDrop: undefined })).baseline?.maxDropPct, 10);
      const rule = join(dir, 'load-rule.json');
      const load = JSON.parse(readFileSync('thresholds/load.json', 'utf8')) as Record<string, unknown>;
      writeFileSync(rule, JSON.stringify({ ...load, $schema: undefined, capacity: { maxDropPct: 25 } }));
      assert.equal(toCapacityOptions('load', cli({ baseline: dir, maxDrop: undefined, thresholds: rule })).baseline?.maxDropPct, 25); // prettier-ignore
      assert.equal(toCapacityOptions('load', cli({ baseline: dir, maxDrop: '5', thresholds: rule })).baseline?.maxDropPct, 5); // prettier-ignore
      writeFileSync(rule, JSON.stringify({ ...load, $schema: undefined, capacity: { maxDropPct: 'ten' } }));
      assert.throws(() => toCapacityOptions('load', cli({ baseline: dir, thresholds: rule })), /capacity\/maxDropPct|capacity\.maxDropPct/); // prettier-ignore
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads the main trend and its bound from the scenario's threshold file", () => {
    const o = toCapacityOptions('load', cli({}));
    assert.deepEqual(o.trend, { metric: 'e2e_duration', bound: 5000 });
    assert.equal(o.knob.env, 'RATE');
    assert.equal(o.search.resolution, 0.05);
  });
});
