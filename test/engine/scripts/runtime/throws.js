// An error thrown in an imported module: k6 prints the original files and lines.
import { failDeep } from './throws-lib.js';

export const options = { iterations: 1 };

export default function () {
  failDeep(7);
}
