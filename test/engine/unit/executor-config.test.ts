import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenarios } from '../../../engine/executors/index.ts';

describe('executor config validation', () => {
  it('reports every problem at once, each naming the option', () => {
    const { problems } = parseScenarios({
      a: { executor: 'constant-arrival-rate', rate: 0, preAllocatedVUs: 5, maxVUs: 2 },
      b: { executor: 'shared-iterations', vus: 10, iterations: 5, maxDuration: 'soon' },
      c: { executor: 'ramping-vus', stages: [] },
    });
    assert.ok(problems.includes('scenarios.a.rate: should be at least 1, got 0'), problems.join('\n'));
    assert.ok(problems.includes('scenarios.a.duration: is required (a duration like "30s")'));
    assert.ok(problems.includes("scenarios.a.maxVUs: maxVUs (2) can't be less than preAllocatedVUs (5)"));
    assert.ok(
      problems.includes(
        "scenarios.b.iterations: the number of iterations (5) can't be less than the number of VUs (10)",
      ),
    );
    assert.ok(problems.some((p) => p.startsWith('scenarios.b.maxDuration: expected a duration')));
    assert.ok(problems.some((p) => p.startsWith('scenarios.c.stages: at least one stage')));
  });

  it('rejects externally-controlled with a clear message', () => {
    const { problems } = parseScenarios({ x: { executor: 'externally-controlled', vus: 1 } });
    assert.match(problems[0]!, /externally-controlled" was removed in k6 v2/);
  });

  it('rejects an unknown executor and unknown options', () => {
    const { problems } = parseScenarios({
      x: { executor: 'magic' },
      y: { executor: 'constant-vus', duration: '1s', vuz: 3 },
    });
    assert.match(problems[0]!, /scenarios\.x\.executor: expected one of shared-iterations/);
    assert.match(problems[1]!, /scenarios\.y\.vuz: unknown option/);
  });

  it("applies k6's defaults", () => {
    const { configs, problems } = parseScenarios({
      x: { executor: 'constant-arrival-rate', rate: 5, duration: '1m', preAllocatedVUs: 3 },
    });
    assert.deepEqual(problems, []);
    const c = configs[0] as unknown as Record<string, unknown>;
    assert.equal(c.timeUnit, 1000);
    assert.equal(c.maxVUs, 3);
    assert.equal(c.gracefulStop, 30_000);
    assert.equal(c.exec, 'default');
    assert.equal(c.startTime, 0);
  });
});
