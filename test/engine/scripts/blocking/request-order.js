// A sync http.get between two awaited requests keeps its place: the server sees each VU's
// steps 1, 2, 3 in order, iteration after iteration.
import http from 'k6/http';

export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 3, iterations: 4 } } };

export default async function () {
  const base = `${__ENV.BASE_URL}`;
  await http.asyncRequest('GET', `${base}/slow?ms=30&vu=${__VU}&step=1`);
  http.get(`${base}/slow?ms=30&vu=${__VU}&step=2`);
  await http.asyncRequest('GET', `${base}/?vu=${__VU}&step=3`);
}
