// ramping-vus in sync mode: VU 1 runs to the end (its own loop), VUs 2-3 ramp down (one
// iteration at a time); iteration ids come from one counter either way.
import exec from 'k6/execution';
import { sleep } from 'k6';

export const options = {
  scenarios: {
    ramp: { executor: 'ramping-vus', startVUs: 3, gracefulRampDown: '0s', stages: [{ duration: '1s', target: 3 }, { duration: '1s', target: 1 }] },
  },
};

export default function () {
  sleep(0.05);
  console.log(`ids test=${exec.scenario.iterationInTest} vu=${exec.vu.idInTest} iter=${__ITER}`);
}
