import { fail as failInLib } from './lib.js';

export const options = { iterations: 1 };

// lib.js has a `fail` too: the bundle renames one of them, k6 shows each by its own name.
function fail() {
  failInLib('clash');
}

export default function () {
  fail();
}
