// A classic script whose setup() and teardown() sleep: under k6 (and in sync mode) sleep blocks there too.
// (No HTTP here: the test runs the engine in its own process, where a blocking request in setup()
// would block the test's own server as well.)
import { sleep } from 'k6';

export const options = { iterations: 1, vus: 1 };

export function setup() {
  const t0 = Date.now();
  sleep(0.3);
  console.log(`setup slept=${Date.now() - t0}`);
  return { status: 200 };
}

export default function (data) {
  console.log(`iteration got ${data.status}`);
}

export function teardown() {
  const t0 = Date.now();
  sleep(0.2);
  console.log(`teardown slept=${Date.now() - t0}`);
}
