/**
 * Stress testing (methodology §6.2): concurrent operations with varying load.
 *
 * Phase `steady` (after an unmeasured `warmup`): 25 VUs at once (the methodology's 25
 * concurrent operations), each submitting a request and reading it back — target §4.1
 * "Concurrent Operations: < 0.2 s average response time". Phase `ramp`: the VU count climbs beyond 25 in stages (50, 75,
 * 100) to find the knee, the stage where latency turns up or errors appear.
 *
 *   stress_latency   Trend per HTTP response (ms), tags phase:warmup|steady|ramp, stage:<VUs>
 *   stress_success   Rate of operations answered as expected, same tags
 * `stage` is the VU count the stage climbs to (25 for the steady phase), so the report
 * can lay the per-stage latencies side by side. Each VU pauses THINK_TIME between
 * operations (a closed model of concurrent users): without it the steady phase would
 * measure the box's saturated throughput (latency = VUs / throughput) rather than how
 * 25 concurrent operations are served.
 *
 * Env: BASE_URL (required), VUS (steady VUs, default 25), WARMUP (default 5s),
 * DURATION (steady phase, default 30s), RAMP_STAGE (each ramp stage, default 20s),
 * THINK_TIME (s between a VU's operations, default 0.25).
 * PROFILE=short: 3 s warm-up, 6 s steady, 3 s per ramp stage.
 */
import { check } from 'k6';
import exec from 'k6/execution';
import { Rate, Trend } from 'k6/metrics';
import { durationMs, numberEnv, phase } from './lib/config.ts';
import { uniqueRequest } from './lib/data.ts';
import { phaseAt } from './lib/phase.ts';
import { getRequest, submitRequest } from './lib/requests.ts';
import { pause } from './lib/timers.ts';

const latency = new Trend('stress_latency', true);
const success = new Rate('stress_success');

const STEADY_VUS = numberEnv('VUS', 25);
const WARMUP = phase('5s', '3s', 'WARMUP');
const STEADY = phase('30s', '6s');
const STAGE = phase('20s', '3s', 'RAMP_STAGE');
const THINK_TIME = numberEnv('THINK_TIME', 0.25, true);
const RAMP_TARGETS = [STEADY_VUS * 2, STEADY_VUS * 3, STEADY_VUS * 4];
const seconds = (ms: number) => `${ms / 1000}s`;
const RAMP_START = seconds(durationMs(WARMUP) + durationMs(STEADY));

export const options = {
  scenarios: {
    steady: { executor: 'constant-vus', vus: STEADY_VUS, duration: RAMP_START, gracefulStop: '5s' },
    ramp: {
      executor: 'ramping-vus',
      startTime: RAMP_START,
      startVUs: STEADY_VUS,
      stages: RAMP_TARGETS.map((target) => ({ duration: STAGE, target })),
      gracefulRampDown: '5s',
    },
  },
};

/**
 * The tags of an operation starting now: its phase (warmup, steady, ramp) and its stage,
 * the VU count the stage climbs to. The 25 VUs first run WARMUP unmeasured by the
 * thresholds (connections, JIT, pools warming up on both sides), then the steady phase.
 */
function tagsNow(): { phase: string; stage: string } {
  if (exec.scenario.name === 'steady') {
    const p = phaseAt(
      [
        ['warmup', durationMs(WARMUP)],
        ['steady', durationMs(STEADY)],
      ],
      exec.scenario.startTime,
    );
    return { phase: p, stage: p === 'warmup' ? 'warmup' : String(STEADY_VUS) };
  }
  const stages = RAMP_TARGETS.map((t): [string, number] => [String(t), durationMs(STAGE)]);
  return { phase: 'ramp', stage: phaseAt(stages, exec.scenario.startTime) };
}

export default async function (): Promise<void> {
  const tags = tagsNow();
  const { res, body } = await submitRequest(uniqueRequest('stress', 'quick'), tags);
  latency.add(res.timings.duration, tags);
  const accepted = check(res, { 'submit status is 202': (r) => r.status === 202 }) && body !== null;
  success.add(accepted, tags);
  if (accepted) {
    const read = await getRequest(body.id, tags);
    latency.add(read.res.timings.duration, tags);
    success.add(check(read.res, { 'read status is 200': (r) => r.status === 200 }), tags);
  }
  await pause(THINK_TIME);
}
