/**
 * Load testing (methodology §6.1): sustained request rate over time — 2 requests/s for
 * 15 s through the whole pipeline (API -> queue -> worker -> mock LLM -> PostgreSQL).
 *
 * Each iteration submits one request and polls it until it is completed. Measured:
 *   e2e_duration  Trend, submit to completed (ms)           target §4.1: p(95) < 5000
 *   e2e_success   Rate, completed within the bounded wait   target §4.1: rate >= 0.9
 * plus requests/s (http_reqs) and the per-request HTTP timings k6 records.
 * Thresholds live in thresholds/load.json (passed with --config), not here.
 *
 * Env: BASE_URL (required), RATE (default 2), DURATION (default 15s; 8s with PROFILE=short).
 */
import { check } from 'k6';
import { uniqueRequest } from './lib/data.ts';
import { numberEnv, phase, SHORT } from './lib/config.ts';
import { e2eMetrics } from './lib/metrics.ts';
import { waitForCompletion } from './lib/poll.ts';
import { submitRequest } from './lib/requests.ts';

const RATE = numberEnv('RATE', 2);
const E2E_TIMEOUT_MS = SHORT ? 15_000 : 30_000;
const e2e = e2eMetrics();

export const options = {
  scenarios: {
    load: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: phase('15s', '8s'),
      preAllocatedVUs: Math.ceil(RATE * 5),
      maxVUs: Math.ceil(RATE * 30),
      gracefulStop: `${E2E_TIMEOUT_MS / 1000 + 5}s`,
    },
  },
};

export default async function (): Promise<void> {
  const started = Date.now();
  const { res, body } = await submitRequest(uniqueRequest('load', 'quick'));
  const accepted = check(res, { 'submit status is 202': (r) => r.status === 202 }) && body !== null;
  if (!accepted) {
    e2e.success.add(false);
    return;
  }
  const done = await waitForCompletion(body.id, { timeoutMs: E2E_TIMEOUT_MS });
  const completed = check(done, { 'request completed': (d) => d.outcome === 'completed' });
  if (completed) e2e.duration.add(Date.now() - started);
  e2e.success.add(completed);
}
