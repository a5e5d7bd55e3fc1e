import { Runner } from './lib.js';

export const options = { iterations: 1 };

export default function () {
  new Runner().run('iteration');
}
