// constant-vus in sync mode whose one iteration blocks in http.get far past the end: gracefulStop 0s
// interrupts it, and (as in k6) the script does not go on to the statement after the call.
import http from 'k6/http';

export const options = {
  scenarios: { stuck: { executor: 'constant-vus', vus: 1, duration: '1s', gracefulStop: '0s' } },
};

export default function () {
  http.get(`${__ENV.BASE_URL}/slow?ms=4000`);
  console.log('the script went on after an interrupted http.get');
}
