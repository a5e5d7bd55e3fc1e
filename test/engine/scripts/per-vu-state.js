// per-vu-iterations: each VU counts its own iterations in module-level state.
import { check } from 'k6';
import exec from 'k6/execution';

export const options = {
  scenarios: { pervu: { executor: 'per-vu-iterations', vus: 3, iterations: 5 } },
};

let mine = 0;

export default async function () {
  mine++;
  check(mine, {
    'module state is per VU': (n) => n === exec.vu.iterationInScenario + 1,
    '__ITER counts this VU': () => __ITER === mine - 1,
    '__VU matches exec.vu.idInTest': () => __VU === exec.vu.idInTest && __VU >= 1 && __VU <= 3,
  });
}
