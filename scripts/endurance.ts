/**
 * Endurance testing (methodology §6.3): mixed workload types over an extended period,
 * watching for performance degradation over time.
 *
 * A constant arrival rate of mixed work, drawn per iteration: 50 % quick requests, 30 %
 * detailed requests (longer answers), 20 % batches of 5. Each is followed to completion.
 *
 *   endurance_latency  Trend, submit to completed (for a batch: to its last item), ms;
 *                      tags workload:quick|detailed|batch and window:first|middle|last
 *   endurance_success    Rate, finished within the bounded wait, same tags
 *   endurance_completed  Counter, iterations that completed (1) or not (0), same tags
 * The window is the third of the run the iteration started in. The orchestrator computes
 *   degradation_ratio = p95(endurance_latency{window:last}) / p95(endurance_latency{window:first})
 * and checks it against thresholds/endurance.json (<= 1.5). That ratio is only evidence
 * when every window holds completed work: endurance_completed{window:W} count>=1 for each
 * W fails the run otherwise, under a real k6 too (which reads an empty window as 0).
 *
 * Env: BASE_URL (required), RATE (iterations/s, default 2; 4 with PROFILE=short),
 * DURATION (default 10m; 18s with PROFILE=short), BATCH_SIZE (default 5).
 */
import { check } from 'k6';
import exec from 'k6/execution';
import { Counter, Rate, Trend } from 'k6/metrics';
import { durationMs, numberEnv, phase, SHORT } from './lib/config.ts';
import { generateUniqueRequests, uniqueRequest, type Mode } from './lib/data.ts';
import { phaseAt } from './lib/phase.ts';
import { waitForAll, waitForCompletion } from './lib/poll.ts';
import { submitBatch, submitRequest } from './lib/requests.ts';

const latency = new Trend('endurance_latency', true);
const success = new Rate('endurance_success');
const completed = new Counter('endurance_completed');

/** PROFILE=short runs twice the rate, so each 6 s window still holds enough samples for its p95. */
const RATE = numberEnv('RATE', SHORT ? 4 : 2);
const DURATION = phase('10m', '18s');
const BATCH_SIZE = numberEnv('BATCH_SIZE', 5);
const TIMEOUT_MS = SHORT ? 10_000 : 30_000;
const THIRD = durationMs(DURATION) / 3;

export const options = {
  scenarios: {
    endurance: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: Math.ceil(RATE * 5),
      maxVUs: Math.ceil(RATE * 40),
      gracefulStop: `${TIMEOUT_MS / 1000 + 5}s`,
    },
  },
};

type Workload = Mode | 'batch';

/** 50 % quick, 30 % detailed, 20 % batch. */
function pickWorkload(): Workload {
  const r = Math.random();
  return r < 0.5 ? 'quick' : r < 0.8 ? 'detailed' : 'batch';
}

async function runSingle(mode: Mode, tags: Record<string, string>): Promise<boolean> {
  const { res, body } = await submitRequest(uniqueRequest(`endurance-${mode}`, mode), tags);
  if (!check(res, { 'submit status is 202': (r) => r.status === 202 }) || body === null) return false;
  const done = await waitForCompletion(body.id, { timeoutMs: TIMEOUT_MS, tags });
  return check(done, { 'request completed': (d) => d.outcome === 'completed' });
}

async function runBatch(tags: Record<string, string>): Promise<boolean> {
  const { res, body } = await submitBatch(generateUniqueRequests(BATCH_SIZE, 'endurance-batch', 'quick'), tags);
  if (!check(res, { 'batch status is 202': (r) => r.status === 202 }) || body === null) return false;
  const done = await waitForAll(
    body.items.map((i) => i.id),
    { timeoutMs: TIMEOUT_MS, intervalS: 0.2, tags },
  );
  return check(done, { 'every batch item completed': (d) => d.every((x) => x.outcome === 'completed') });
}

export default async function (): Promise<void> {
  const workload = pickWorkload();
  const window = phaseAt(
    [
      ['first', THIRD],
      ['middle', THIRD],
      ['last', THIRD],
    ],
    exec.scenario.startTime,
  );
  const tags = { workload, window };
  const started = Date.now();
  const ok = workload === 'batch' ? await runBatch(tags) : await runSingle(workload, tags);
  if (ok) latency.add(Date.now() - started, tags);
  success.add(ok, tags);
  completed.add(ok ? 1 : 0, tags);
}
