// Split over processes with --execution-segment: 60 iterations in all, 20 of them tagged "slow".
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';

export const options = {
  scenarios: { shared: { executor: 'shared-iterations', vus: 6, iterations: 60 } },
  thresholds: {
    http_reqs: [`count>=${__ENV.MIN_REQS || 60}`],
    'http_req_duration{kind:fast}': ['p(99)<5000'],
    checks: ['rate==1'],
  },
};

export default async function () {
  const kind = exec.scenario.iterationInTest % 3 === 0 ? 'slow' : 'fast';
  const res = await http.asyncRequest('GET', `${__ENV.BASE_URL}/`, null, { tags: { kind } });
  check(res, { 'status is 200': (r) => r.status === 200 });
}
