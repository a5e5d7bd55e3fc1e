// A k6/timers setTimeout that comes due during a sleep() of its VU fires after the sleep, as in k6
// (sleep blocks the VU's event loop).
import { check, sleep } from 'k6';
import { setTimeout } from 'k6/timers';

export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 2, iterations: 2 } } };

export default async function () {
  const order = [];
  setTimeout(() => order.push('timer'), 20);
  sleep(0.2);
  order.push('after sleep');
  await new Promise((resolve) => setTimeout(resolve, 30));
  check(order, { 'the timer fired after the sleep': (o) => o.join(',') === 'after sleep,timer' });
}
