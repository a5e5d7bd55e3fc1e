// Checks, groups, tags, custom metrics, setup data, teardown and handleSummary.
import http from 'k6/http';
import { check, group } from 'k6';
import { Counter, Trend } from 'k6/metrics';

export const options = {
  iterations: 6,
  vus: 2,
  tags: { suite: 'conformance' },
  thresholds: { 'http_req_duration{name:named}': ['p(99)<10000'], 'checks{check:status is 200}': ['rate==1'] },
};

const seen = new Counter('setup_value_seen');
const teardownSeen = new Counter('teardown_value_seen');
const work = new Trend('work_time', true);

export function setup() {
  return { answer: 42 };
}

export default async function (data) {
  seen.add(data.answer);
  await group('outer', async () => {
    await group('inner', async () => {
      const res = await http.asyncRequest('GET', `${__ENV.BASE_URL}/`, null, { tags: { name: 'named' } });
      check(res, { 'status is 200': (r) => r.status === 200 });
    });
  });
  work.add(12.5, { kind: 'custom' });
}

export function teardown(data) {
  teardownSeen.add(data.answer);
}

export function handleSummary(data) {
  return {
    [`${__ENV.OUT_DIR}/summary.json`]: JSON.stringify(data),
    [`${__ENV.OUT_DIR}/report.txt`]: 'checks: ' + data.metrics.checks.values.passes,
    stdout: 'handled\n',
  };
}
