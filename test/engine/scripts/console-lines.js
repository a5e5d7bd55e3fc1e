import exec from 'k6/execution';

export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 4, iterations: 200 } } };

export default function () {
  console.log(`line vu=${exec.vu.idInTest} i=${exec.vu.iterationInScenario}`);
}
