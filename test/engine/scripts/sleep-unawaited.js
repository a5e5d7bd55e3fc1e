// An async exec function whose sleep() the blocking-call rewrite cannot see (it is called from a
// plain arrow function, whose promise nobody awaits) (SLEEP_AWAIT=1 awaits it).
import { sleep } from 'k6';

export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 1, iterations: 3, exec: 'run' } } };

const pause = (s) => sleep(s);

export async function run() {
  if (__ENV.SLEEP_AWAIT === '1') await pause(0.01);
  else pause(0.01);
}
