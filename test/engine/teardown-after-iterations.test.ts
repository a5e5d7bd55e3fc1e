/**
 * teardown() runs after the last iteration, as in k6: at the end of a constant-vus scenario no VU
 * starts another iteration that the executor no longer waits for. The server holds each iteration's
 * request for 10-30 ms and counts those in flight; teardown asks for that count, which must be 0.
 * (A timer that fired before the scenario clock reached the end let a VU start one more iteration
 * beside teardown: see PerfClock.sleepUntil and test/engine/unit/perf-clock.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modeScripts } from './helpers/mode-scripts.ts';
import { run } from './helpers/run.ts';

let inflight = 0;
let maxSeenByTeardown = 0;

const fx = modeScripts(
  'teardown-after',
  (req, res) => {
    if (req.url === '/inflight') {
      maxSeenByTeardown = Math.max(maxSeenByTeardown, inflight);
      res.end(String(inflight));
      return;
    }
    inflight++;
    // 10-30 ms, spread out: iterations end at every moment, also in the last millisecond before the end.
    setTimeout(
      () => {
        inflight--;
        res.end('ok');
      },
      10 + Math.random() * 20,
    );
  },
  (mode) => `import http from 'k6/http';
import { Counter } from 'k6/metrics';
const overlap = new Counter('overlap');
export const options = {
  scenarios: { s: { executor: 'constant-vus', vus: ${mode === 'async' ? 100 : 8}, duration: '1s', gracefulStop: '5s' } },
  thresholds: { overlap: ['count==0'] },
};
export default ${mode === 'async' ? "async function () { await http.asyncRequest('GET', __ENV.BASE_URL + '/work'); }" : "function () { http.get(__ENV.BASE_URL + '/work'); }"}
// asyncRequest in both modes: teardown runs on this test's main thread, which also serves the requests.
export async function teardown() {
  const r = await http.asyncRequest('GET', __ENV.BASE_URL + '/inflight');
  overlap.add(Number(r.body));
}
`,
);

describe('teardown after the last iteration', () => {
  for (const mode of ['async', 'sync'] as const) {
    it(`finds no iteration still running (${mode} mode, 3 runs)`, async () => {
      for (let i = 0; i < 3; i++) {
        maxSeenByTeardown = 0;
        const r = await run(fx.files[mode], { baseUrl: fx.base, mode });
        assert.equal(
          r.values('overlap').count,
          0,
          `run ${i + 1}: teardown saw ${maxSeenByTeardown} iteration(s) in flight\n${r.stderr}`,
        );
        assert.equal(r.exitCode, 0, r.stderr);
        assert.ok((r.values('iterations').count ?? 0) > 0, 'no iteration ran');
      }
    });
  }
});
