// A k6/timers setTimeout that comes due during a sleep() of its VU fires after the sleep, as in k6
// (sleep blocks the VU's event loop); one cleared right after the sleep never fires, and an
// interval's ticks missed during the sleep collapse into one.
import { check, sleep } from 'k6';
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'k6/timers';

export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 2, iterations: 2 } } };

export default async function () {
  const order = [];
  let ticks = 0;
  setTimeout(() => order.push('timer'), 20);
  const cleared = setTimeout(() => order.push('cleared timer'), 20);
  const interval = setInterval(() => ticks++, 20); // about 10 ticks come due during the sleep
  sleep(0.2);
  order.push('after sleep');
  clearTimeout(cleared);
  await new Promise((resolve) => setTimeout(resolve, 5));
  clearInterval(interval);
  check(order, { 'the timer fired after the sleep': (o) => o.join(',') === 'after sleep,timer' });
  // one for the missed ticks, and at most one more during the 5-ms wait
  check(ticks, { 'missed interval ticks collapse into one': (n) => n >= 1 && n <= 2 });
}
