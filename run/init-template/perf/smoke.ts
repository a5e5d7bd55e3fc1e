// A smoke scenario: a few requests through the service under test (BASE_URL), each one checked.
// Run it with `npm run perf:smoke`; the kit gives the script BASE_URL, LLM_URL, REDIS_URL, DATABASE_URL.
import http from 'k6/http';
import { check } from 'k6';

export const options = { vus: 2, iterations: 10 };

export default function (): void {
  const res = http.post(
    `${__ENV.BASE_URL}/v1/requests`,
    JSON.stringify({
      client_request_id: `smoke-${__VU}-${__ITER}-${Date.now()}`,
      messages: [{ role: 'user', content: 'In one sentence: what is a smoke test?' }],
      mode: 'quick',
    }),
    { headers: { 'content-type': 'application/json' }, tags: { name: 'submit' } },
  );
  check(res, { 'status is 202': (r) => r.status === 202 });
}
