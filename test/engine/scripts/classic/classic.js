// A classic (synchronous-style) k6 script: helpers that block, group() with an inline and a named
// callback, check(), Array callbacks that block, setup/teardown/handleSummary, two scenarios with
// exec functions, thresholds. Iteration-bound, so both modes give the same counts.
import http from 'k6/http';
import { check, group, sleep } from 'k6';
import { fetchJson, pages } from './lib.js';

export const options = {
  scenarios: {
    browse: { executor: 'per-vu-iterations', vus: 2, iterations: 3, exec: 'browse' },
    buy: { executor: 'shared-iterations', vus: 2, iterations: 4, exec: 'buy' },
  },
  thresholds: {
    checks: ['rate==1'],
    'http_reqs{scenario:buy}': ['count==8'],
    'group_duration{group:::home}': ['max<5000'],
  },
};

const base = () => __ENV.BASE_URL;

function home() {
  const res = http.get(`${base()}/`);
  check(res, { 'home is 200': (r) => r.status === 200 });
}

export function setup() {
  const info = fetchJson(`${base()}/json`);
  return { ok: info.ok };
}

export function browse(data) {
  group('home', home);
  group('pages', () => {
    const statuses = pages(base(), 2).map((u) => http.get(u).status);
    check(statuses, { 'every page is 200': (s) => s.every((x) => x === 200) });
    [0.001, 0.002].forEach((s) => sleep(s));
  });
  check(data, { 'setup data arrived': (d) => d.ok === true });
}

export function buy() {
  const found = ['a', 'b'].find((x) => http.post(`${base()}/echo`, x).json().body === 'b');
  check(found, { 'find returns the first match in order': (f) => f === 'b' });
}

export function teardown(data) {
  http.get(`${base()}/?teardown=${data.ok}`);
}

export function handleSummary(data) {
  sleep(0.001);
  return { stdout: `iterations=${data.metrics.iterations.values.count}\n` };
}
