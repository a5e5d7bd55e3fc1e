// A helper made async by the rewrite throws after a blocking call: the error names this file:line.
import http from 'k6/http';

export const options = { iterations: 1, vus: 1 };

function fail() {
  http.get(`${__ENV.BASE_URL}/`);
  throw new Error('boom from a rewritten helper');
}

export default function () {
  fail();
}
