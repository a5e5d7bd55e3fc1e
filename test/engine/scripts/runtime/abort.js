// exec.test.abort() in the 4th iteration: k6 counts that iteration (iterations 4, with its duration).
import exec from 'k6/execution';
import { sleep } from 'k6';

export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 1, iterations: 1000 } } };

export default function () {
  sleep(0.05);
  if (exec.scenario.iterationInTest >= 3) exec.test.abort('enough');
}
