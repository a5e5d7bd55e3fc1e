// The classic blocking k6/http calls (sync mode): get, post, batch, timeout, errors.
import http from 'k6/http';
import { check, sleep } from 'k6';

export const options = { iterations: 2, vus: 2 };

export default function () {
  const base = __ENV.BASE_URL;
  const res = http.get(`${base}/`);
  check(res, { 'get returns a Response': (r) => r.status === 200 && r.body === 'hello' });
  const post = http.post(`${base}/echo`, 'payload');
  check(post, { 'post returns the echo': (r) => r.json().body === 'payload' && r.json().method === 'POST' });
  const responses = http.batch([`${base}/`, ['GET', `${base}/json`], { method: 'POST', url: `${base}/echo`, body: 'b' }]);
  check(responses, {
    'batch returns every response in order': (r) => r.length === 3 && r[0].body === 'hello' && r[1].json().ok === true && r[2].json().body === 'b',
  });
  const named = http.batch({ home: `${base}/`, missing: `${base}/status/404` });
  check(named, { 'batch with an object keeps the keys': (r) => r.home.status === 200 && r.missing.status === 404 });
  const slow = http.get(`${base}/slow?ms=3000`, { timeout: '200ms' });
  check(slow, { 'a blocking timeout has error_code 1050': (r) => r.error_code === 1050 });
  const refused = http.get(__ENV.CLOSED_URL);
  check(refused, { 'a blocking refused connection has error_code 1212': (r) => r.error_code === 1212 });
  sleep(0.05);
}
