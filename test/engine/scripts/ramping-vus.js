import { sleep } from 'k6';

export const options = {
  scenarios: {
    ramp: { executor: 'ramping-vus', startVUs: 0, gracefulRampDown: '0s', stages: [{ duration: '1s', target: 4 }, { duration: '1s', target: 4 }, { duration: '1s', target: 0 }] },
  },
};

export default async function () {
  await sleep(0.05);
}
