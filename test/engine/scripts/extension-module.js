// An extension module (TypeScript, engine/modules/x/) loaded inside the bundled worker threads.
import sse from 'k6/x/sse';
import { check } from 'k6';
export const options = { vus: 2, iterations: 4 };
export default async function () {
  const res = await sse.open(__ENV.BASE_URL + '/', {}, (client) => { client.on('event', () => {}); });
  check(res, { 'sse open answered': (r) => r.status === 200 });
}
