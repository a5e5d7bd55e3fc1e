// constant-vus in sync mode for a minute: stopped from outside (like SIGINT) long before.
import { sleep } from 'k6';

export const options = { scenarios: { long: { executor: 'constant-vus', vus: 2, duration: '60s' } } };

export default function () {
  sleep(0.05);
}
