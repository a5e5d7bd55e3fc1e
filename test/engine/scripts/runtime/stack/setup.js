import { fail } from './lib.js';

export const options = { iterations: 1 };

export function setup() {
  fail('setup');
}

export default function () {}
