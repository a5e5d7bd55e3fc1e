// constant-vus in sync mode whose one iteration sleeps far past the end: gracefulStop 0s must
// interrupt it, so that the VU is free again for the second scenario (vus_max stays 1).
import { sleep } from 'k6';

export const options = {
  scenarios: {
    stuck: { executor: 'constant-vus', vus: 1, duration: '1s', gracefulStop: '0s', exec: 'stuck' },
    after: { executor: 'per-vu-iterations', vus: 1, iterations: 2, startTime: '3s', exec: 'after' },
  },
};

export function stuck() {
  sleep(60);
  console.log('stuck iteration was not interrupted');
}

export function after() {}
