import { sleep } from 'k6';

export const options = {
  scenarios: { steady: { executor: 'constant-vus', vus: 3, duration: '2s' } },
};

export default async function () {
  await sleep(0.1);
}
