// A k6/timers callback that throws fails its iteration at once (its interval is stopped); an interval
// never cleared keeps the next iteration running until maxDuration interrupts it (not counted).
import { setInterval, clearInterval, setTimeout } from 'k6/timers';

export const options = {
  scenarios: { s: { executor: 'per-vu-iterations', vus: 1, iterations: 2, maxDuration: '2s', gracefulStop: '0s' } },
};

export default function () {
  let n = 0;
  const id = setInterval(() => {
    n++;
    if (n === 3 && __ITER === 0) clearInterval(id);
  }, 100);
  if (__ITER === 0)
    setTimeout(() => {
      throw new Error('thrown in a timer');
    }, 50);
}
