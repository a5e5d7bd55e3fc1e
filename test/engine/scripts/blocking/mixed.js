// Sync calls, group and check inside an async default function. A real k6 v2.2.0 ran 6
// iterations and 18 requests with 2 VUs for 3 s.
import http from 'k6/http';
import { check, group, sleep } from 'k6';

export const options = { vus: 2, duration: '3s' };

export default async function () {
  const res = http.get(`${__ENV.BASE_URL}/`);
  check(res, { 'status is 200': (r) => r.status === 200 });
  group('browse', () => {
    http.get(`${__ENV.BASE_URL}/json`);
    sleep(0.5);
  });
  await http.asyncRequest('GET', `${__ENV.BASE_URL}/echo`);
  sleep(0.5);
}
