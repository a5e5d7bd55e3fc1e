// An async exec function whose sleep() the blocking-call rewrite cannot see (it is called through
// an object's method, which the whole-script rewrite does not follow, so the script keeps the
// async-functions-only rewrite) (SLEEP_AWAIT=1 awaits it).
import { sleep } from 'k6';

export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 1, iterations: 3, exec: 'run' } } };

const helpers = { pause: (s) => sleep(s) };

export async function run() {
  if (__ENV.SLEEP_AWAIT === '1') await helpers.pause(0.01);
  else helpers.pause(0.01);
}
