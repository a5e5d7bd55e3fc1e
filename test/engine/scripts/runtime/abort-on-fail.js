// abortOnFail with a failing Rate in an iteration that then sleeps 20 s: k6 evaluates thresholds
// every 2 s, so the test stops (exit 99) during that first iteration, which never completes.
import { check, sleep } from 'k6';
import { Rate } from 'k6/metrics';

const failureRate = new Rate('check_failure_rate');

export const options = {
  scenarios: { s: { executor: 'constant-vus', vus: 1, duration: '60s', gracefulStop: '0s' } },
  thresholds: { check_failure_rate: [{ threshold: 'rate<=0.05', abortOnFail: true }] },
};

export default function () {
  failureRate.add(!check(1, { 'a failing check': () => false }));
  sleep(20);
}
