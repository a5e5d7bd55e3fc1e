import exec from 'k6/execution';

export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 1, iterations: 1000 } } };

export default async function () {
  if (exec.scenario.iterationInTest >= 3) exec.test.abort('enough');
}
