/**
 * Batch operations (methodology §4.1 "Batch Operations: < 0.15 s per request"): the
 * batch endpoint at a steady rate, every batch BATCH_SIZE unique requests (§7.1).
 *
 *   batch_duration          Trend, the whole POST /v1/batch (ms)
 *   batch_request_duration  Trend, batch_duration / items in the batch: the per-request
 *                           cost the target bounds (p95 < 150 ms)
 *   batch_success           Rate, accepted (202) with one item per request sent
 *
 * Env: BASE_URL (required), RATE (batches/s, default 2), BATCH_SIZE (default 10),
 * DURATION (default 15s; 8s with PROFILE=short).
 */
import { check } from 'k6';
import { Rate, Trend } from 'k6/metrics';
import { numberEnv, phase } from './lib/config.ts';
import { generateUniqueRequests } from './lib/data.ts';
import { submitBatch } from './lib/requests.ts';

const batchDuration = new Trend('batch_duration', true);
const perRequest = new Trend('batch_request_duration', true);
const success = new Rate('batch_success');

const RATE = numberEnv('RATE', 2);
const BATCH_SIZE = numberEnv('BATCH_SIZE', 10);

export const options = {
  scenarios: {
    batch: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: phase('15s', '8s'),
      preAllocatedVUs: Math.ceil(RATE * 2),
      maxVUs: Math.ceil(RATE * 20),
      gracefulStop: '10s',
    },
  },
};

export default async function (): Promise<void> {
  const requests = generateUniqueRequests(BATCH_SIZE, 'batch', 'quick');
  const { res, body } = await submitBatch(requests, { size: String(BATCH_SIZE) });
  const ok =
    check(res, { 'batch status is 202': (r) => r.status === 202 }) &&
    check(body, { 'one item per request': (b) => b !== null && b.items.length === requests.length });
  success.add(ok);
  if (res.status === 202) {
    batchDuration.add(res.timings.duration);
    perRequest.add(res.timings.duration / requests.length);
  }
}
