// per-vu-iterations in sync mode: each VU runs its 5 iterations, __ITER 0..4, ids logged.
import exec from 'k6/execution';
import { sleep } from 'k6';

export const options = {
  scenarios: { pervu: { executor: 'per-vu-iterations', vus: 3, iterations: 5 } },
};

export default function () {
  sleep(0.01);
  console.log(`ids test=${exec.scenario.iterationInTest} vu=${exec.vu.idInTest} iter=${__ITER}`);
}
