// setup() and teardown() end, like an iteration, once their k6/timers callbacks ran (k6's event loop).
import { setTimeout } from 'k6/timers';

export const options = { iterations: 1 };

export function setup() {
  setTimeout(() => console.log('setup timer fired'), 100);
  console.log('setup returns');
}

export default function () {
  console.log('iteration');
}

export function teardown() {
  setTimeout(() => console.log('teardown timer fired'), 100);
}
