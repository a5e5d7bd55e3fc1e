// An async exec function that forgets to await sleep() (SLEEP_AWAIT=1 awaits it).
import { sleep } from 'k6';

export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 1, iterations: 3, exec: 'run' } } };

export async function run() {
  if (__ENV.SLEEP_AWAIT === '1') await sleep(0.01);
  else sleep(0.01);
}
