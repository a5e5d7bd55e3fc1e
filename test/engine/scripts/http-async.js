// k6/http in async mode: methods, JSON, headers, redirects, timeouts, errors.
import http from 'k6/http';
import { check } from 'k6';

export const options = { iterations: 1, vus: 1 };

export default async function () {
  const base = __ENV.BASE_URL;
  const json = await http.asyncRequest('GET', `${base}/json`);
  check(json, {
    'json() parses': (r) => r.json().ok === true,
    'json(selector) reads a path': (r) => r.json('items.1.id') === 2,
    'headers are canonical': (r) => r.headers['Content-Type'] === 'application/json',
    'timings are set': (r) => r.timings.duration >= 0 && r.timings.waiting >= 0,
  });
  const post = await http.asyncRequest('POST', `${base}/echo`, JSON.stringify({ a: 1 }), { headers: { 'Content-Type': 'application/json', 'X-Test': 'yes' } });
  check(post, {
    'post sends the body': (r) => r.json().body === '{"a":1}',
    'post sends headers': (r) => r.json().headers['x-test'] === 'yes',
    'a User-Agent is sent': (r) => String(r.json().headers['user-agent']).length > 0,
  });
  const form = await http.asyncRequest('POST', `${base}/echo`, { a: '1', b: 'x y' });
  check(form, { 'an object body is sent as a form': (r) => r.json().body === 'a=1&b=x+y' });
  const redirected = await http.asyncRequest('GET', `${base}/redirect`);
  check(redirected, { 'redirects are followed': (r) => r.status === 200 && r.body === 'hello' });
  const notFollowed = await http.asyncRequest('GET', `${base}/redirect`, null, { redirects: 0 });
  check(notFollowed, { 'redirects: 0 returns the 302': (r) => r.status === 302 });
  const missing = await http.asyncRequest('GET', `${base}/status/404`);
  check(missing, { '404 has error_code 1404': (r) => r.status === 404 && r.error_code === 1404 });
  const slow = await http.asyncRequest('GET', `${base}/slow?ms=3000`, null, { timeout: '200ms' });
  check(slow, { 'a timeout has error_code 1050': (r) => r.status === 0 && r.error_code === 1050 && r.error !== '' });
  const refused = await http.asyncRequest('GET', __ENV.CLOSED_URL);
  check(refused, { 'connection refused has error_code 1212': (r) => r.status === 0 && r.error_code === 1212 });
  const binary = await http.asyncRequest('GET', `${base}/`, null, { responseType: 'binary' });
  check(binary, { 'responseType binary gives an ArrayBuffer': (r) => r.body instanceof ArrayBuffer && r.body.byteLength === 5 });
  const ok = await http.asyncRequest('GET', `${base}/status/404`, null, { responseCallback: http.expectedStatuses(404) });
  check(ok, { 'expectedStatuses marks 404 expected': (r) => r.status === 404 });
}
