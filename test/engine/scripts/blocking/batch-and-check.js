// http.batch and a check callback that itself makes a blocking call, inside an async function.
import http from 'k6/http';
import { check, sleep } from 'k6';

export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 2, iterations: 2 } } };

export default async function () {
  const [a, b] = http.batch([`${__ENV.BASE_URL}/?vu=${__VU}&step=batch`, ['GET', `${__ENV.BASE_URL}/json`]]);
  check(a, {
    'batch answered': (r) => r.status === 200 && b.status === 200,
    'follow-up answered'(r) {
      const again = http.get(`${__ENV.BASE_URL}/?vu=${__VU}&step=in-check`);
      sleep(0.05);
      return again.status === r.status;
    },
  });
}
