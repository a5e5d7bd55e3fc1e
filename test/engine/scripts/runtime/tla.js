// Top-level await (k6 runs scripts as ES modules): the init context awaits before options are read.
import { check, sleep as pause } from 'k6';
import * as k6 from 'k6';
import exec from 'k6/execution';

const config = await Promise.resolve({ iterations: 3, greeting: 'hello' });
const later = await new Promise((resolve) => setTimeout(() => resolve(config.greeting + ' world'), 10));

export const options = { iterations: config.iterations };

export default function () {
  check(later, { 'the value awaited at the top level is there': (v) => v === 'hello world' });
  check(exec.vu.idInTest, { 'the VU has an id': (id) => id >= 1 });
  pause(0.03); // blocking calls still block (the rewrite follows these import forms)
  k6.sleep(0.02);
}
