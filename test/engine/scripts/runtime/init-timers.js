// Timers set in the init context: k6 runs each VU's init to the end of its event loop, so the VU's
// first iteration sees its init timeout fired and its init interval cleared after 3 ticks.
import { check } from 'k6';

let fired = false;
let ticks = 0;
setTimeout(() => {
  fired = true;
  console.log('init timeout fired in VU ' + __VU);
}, 50);
const id = setInterval(() => {
  ticks++;
  if (ticks === 3) clearInterval(id);
}, 10);

export const options = { scenarios: { each: { executor: 'per-vu-iterations', vus: 3, iterations: 2 } } };

export default function () {
  check(null, {
    'the init timeout ran before the iteration': () => fired,
    'the init interval ran its 3 ticks before the iteration': () => ticks === 3,
  });
}

export function handleSummary(data) {
  return { [__ENV.SUMMARY_OUT]: JSON.stringify(data) };
}
