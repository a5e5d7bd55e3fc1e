import exec from 'k6/execution';

export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 1, iterations: 1 } } };

export default function () {
  console.log('written before the abort');
  exec.test.abort('stopped on purpose');
}
