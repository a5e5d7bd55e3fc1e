// Blocking requests and replies that do not fit the I/O channel's shared memory as JSON (binary
// bodies, more than 256 KiB, multi-byte text near the limit) still arrive intact (over the port),
// response headers (built lazily from undici's raw ones) with them.
import http from 'k6/http';
import { check } from 'k6';

export const options = { scenarios: { once: { executor: 'per-vu-iterations', vus: 1, iterations: 1 } } };

export default function () {
  const base = __ENV.BASE_URL;
  const echo = (body) => http.post(`${base}/echo`, body).json().body;
  check(null, {
    'a binary request body arrives': () => echo(new Uint8Array([104, 105]).buffer) === 'hi',
    'multi-byte text arrives': () => echo('héllo ✓') === 'héllo ✓',
    'a 300 kB body and its echo arrive': () => echo('x'.repeat(300000)).length === 300000,
    'multi-byte text past the limit arrives': () => echo('✓'.repeat(90000)) === '✓'.repeat(90000),
    'response headers arrive over the shared memory': () => http.post(`${base}/echo`, 'a').headers['Content-Type'] === 'application/json',
    'response headers arrive with a reply past the limit': () => http.post(`${base}/echo`, 'x'.repeat(300000)).headers['Content-Type'] === 'application/json',
    'a binary response arrives': () => {
      const r = http.get(`${base}/`, { responseType: 'binary' });
      return r.body instanceof ArrayBuffer && String.fromCharCode(...new Uint8Array(r.body)) === 'hello';
    },
  });
}
