// exec.test.abort() from one VU while another sleeps: the test stops (exit 108) and the sleeper's
// request after its sleep never goes out.
import http from 'k6/http';
import exec from 'k6/execution';
import { sleep } from 'k6';

export const options = {
  scenarios: {
    sleeper: { executor: 'per-vu-iterations', vus: 1, iterations: 1, exec: 'sleeper' },
    aborter: { executor: 'per-vu-iterations', vus: 1, iterations: 1, exec: 'aborter' },
  },
};

export async function sleeper() {
  sleep(30);
  http.get(`${__ENV.BASE_URL}/after-sleep`);
}

export async function aborter() {
  sleep(0.3);
  exec.test.abort('stopped during a sleep');
}
