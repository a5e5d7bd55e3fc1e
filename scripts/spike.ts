/**
 * Spike testing: a sudden jump in arrival rate, and recovery.
 *
 * A ramping arrival rate: a baseline, a jump to ten times the baseline within one
 * second, a hold, a drop back to the baseline, and a recovery period. Each iteration
 * submits a request and follows it to completion, so the recovery phase shows whether
 * the backlog the spike left behind drains and latency comes back.
 *
 *   spike_latency  Trend, submit to completed (ms), tag phase:baseline|spike|recovery
 *   spike_success  Rate, completed within the bounded wait, same tag
 * The phase is taken when the iteration starts; `spike` covers the jump and the hold,
 * `recovery` everything after the drop.
 *
 * Env: BASE_URL (required), RATE (baseline iterations/s, default 5; the spike is 10x),
 * DURATION (the hold, default 30s). PROFILE=short: 4 s baseline, 4 s hold, 7 s recovery.
 */
import { check } from 'k6';
import exec from 'k6/execution';
import { Rate, Trend } from 'k6/metrics';
import { durationMs, numberEnv, phase, SHORT } from './lib/config.ts';
import { uniqueRequest } from './lib/data.ts';
import { phaseAt } from './lib/phase.ts';
import { waitForCompletion } from './lib/poll.ts';
import { submitRequest } from './lib/requests.ts';

const latency = new Trend('spike_latency', true);
const success = new Rate('spike_success');

const BASE_RATE = numberEnv('RATE', 5);
const PEAK_RATE = BASE_RATE * 10;
const BASELINE = SHORT ? '4s' : '30s';
const HOLD = phase('30s', '4s');
const RECOVERY = SHORT ? '7s' : '60s';
const TIMEOUT_MS = SHORT ? 10_000 : 30_000;

export const options = {
  scenarios: {
    spike: {
      executor: 'ramping-arrival-rate',
      startRate: BASE_RATE,
      timeUnit: '1s',
      preAllocatedVUs: PEAK_RATE,
      maxVUs: PEAK_RATE * 10,
      stages: [
        { duration: BASELINE, target: BASE_RATE },
        { duration: '1s', target: PEAK_RATE },
        { duration: HOLD, target: PEAK_RATE },
        { duration: '1s', target: BASE_RATE },
        { duration: RECOVERY, target: BASE_RATE },
      ],
      gracefulStop: `${TIMEOUT_MS / 1000 + 5}s`,
    },
  },
};

const TIMELINE: Array<[string, number]> = [
  ['baseline', durationMs(BASELINE)],
  ['spike', 1000 + durationMs(HOLD)],
  ['recovery', 1000 + durationMs(RECOVERY)],
];

export default async function (): Promise<void> {
  const tags = { phase: phaseAt(TIMELINE, exec.scenario.startTime) };
  const started = Date.now();
  const { res, body } = await submitRequest(uniqueRequest('spike', 'quick'), tags);
  let ok = check(res, { 'submit status is 202': (r) => r.status === 202 }) && body !== null;
  if (ok && body !== null) {
    const done = await waitForCompletion(body.id, { timeoutMs: TIMEOUT_MS, intervalS: 0.2, tags });
    ok = check(done, { 'request completed': (d) => d.outcome === 'completed' });
    if (ok) latency.add(Date.now() - started, tags);
  }
  success.add(ok, tags);
}
