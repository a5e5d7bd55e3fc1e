// VU 1 seeds its Math.random in the init context, VU 2 seeds with the same seed, VU 3 does not:
// each VU logs its draws. In k6 every VU has its own runtime, so seeds do not leak between VUs.
import { randomSeed, sleep } from 'k6';

if (__VU === 1 || __VU === 2) randomSeed(7);

export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 3, iterations: 4 } } };

export default function () {
  console.log(`vu=${__VU} r=${Math.random()}`);
  sleep(0.001);
}
