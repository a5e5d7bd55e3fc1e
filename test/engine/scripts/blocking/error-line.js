// An error thrown after a rewritten blocking call is reported at its original line (line 9).
import { group, sleep } from 'k6';

export const options = { iterations: 1, vus: 1 };

export default async function () {
  group('g', () => {
    sleep(0.01);
    throw new Error('thrown on line 9');
  });
}
