// sleep() inside a group() callback inside an async function blocks the VU, as in k6: the
// request after it goes out after the sleep, and the group lasts at least the sleep.
import http from 'k6/http';
import { group, sleep } from 'k6';

export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 2, iterations: 3 } } };

export default async function () {
  group('paced', () => {
    sleep(0.2);
    http.get(`${__ENV.BASE_URL}/?vu=${__VU}&step=after-sleep`);
  });
}
