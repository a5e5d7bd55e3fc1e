// Scripts are ES modules, strict mode code: assigning a name never declared throws ReferenceError.
import { check } from 'k6';

export const options = { iterations: 2 };

export default function () {
  let thrown = '';
  try {
    // eslint-disable-next-line no-undef
    leaked = 1;
  } catch (e) {
    thrown = e.name;
  }
  check(thrown, { 'assigning an undeclared name throws ReferenceError': (t) => t === 'ReferenceError' });
  check(this, { 'this is undefined in the default function': (t) => t === undefined });
}
