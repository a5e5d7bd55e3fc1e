// One VU cannot keep up with 20 iterations/s of 500 ms each: most iterations are dropped.
import { sleep } from 'k6';

export const options = {
  scenarios: {
    starved: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '2s', preAllocatedVUs: 1, maxVUs: 1 },
  },
};

export default async function () {
  await sleep(0.5);
}
