// k6's documented style for http.asyncRequest: the sleep is not awaited, and still paces the VU.
// A real k6 v2.2.0 sent 30 requests with 10 VUs for 3 s.
import http from 'k6/http';
import { sleep } from 'k6';

export const options = { vus: Number(__ENV.VUS ?? 10), duration: __ENV.DURATION ?? '3s' };

export default async function () {
  await http.asyncRequest('GET', `${__ENV.BASE_URL}/`);
  sleep(1);
}
