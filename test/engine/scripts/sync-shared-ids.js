// shared-iterations in sync mode: each iteration logs its k6/execution ids (checked for uniqueness).
import http from 'k6/http';
import exec from 'k6/execution';

export const options = {
  scenarios: { shared: { executor: 'shared-iterations', vus: 10, iterations: 100 } },
};

export default function () {
  http.get(`${__ENV.BASE_URL}/`);
  console.log(`ids test=${exec.scenario.iterationInTest} vu=${exec.vu.idInTest} iter=${__ITER}`);
}
