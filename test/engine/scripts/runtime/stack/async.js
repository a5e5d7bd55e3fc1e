import { fail } from './lib.js';

export const options = { iterations: 1 };

async function later() {
  await null;
  fail('async');
}

export default async function () {
  await later();
}
