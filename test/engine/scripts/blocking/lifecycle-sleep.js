// sleep() in async setup() and teardown() blocks them, as in k6 (sleep never returns early).
import { check, sleep } from 'k6';

export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 1, iterations: 1 } } };

export async function setup() {
  const t0 = Date.now();
  sleep(0.2);
  return { sleptMs: Date.now() - t0 };
}

export default async function (data) {
  check(data, { 'setup slept': (d) => d.sleptMs >= 195 });
}

export async function teardown() {
  const t0 = Date.now();
  sleep(0.2);
  check(Date.now() - t0, { 'teardown slept': (ms) => ms >= 195 });
}
