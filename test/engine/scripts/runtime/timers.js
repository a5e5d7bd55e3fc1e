// An iteration ends only once its k6/timers callbacks ran (k6's event loop), nested ones included.
import { setTimeout, setInterval, clearInterval } from 'k6/timers';
import { check } from 'k6';
import { Counter } from 'k6/metrics';

const callbacks = new Counter('timer_callbacks');
let done = [];

export const options = { iterations: 3 };

export default function () {
  check(done, { 'the previous iteration ran all its callbacks before this one began': (d) => __ITER === 0 || d.length === 4 });
  done = [];
  setTimeout(() => {
    done.push('t100');
    callbacks.add(1);
  }, 100);
  setTimeout(() => {
    done.push('t30');
    callbacks.add(1);
    setTimeout(() => {
      done.push('nested');
      callbacks.add(1);
    }, 30);
  }, 30);
  let ticks = 0;
  const id = setInterval(() => {
    if (++ticks === 2) {
      clearInterval(id);
      done.push('interval');
      callbacks.add(1);
    }
  }, 20);
}
