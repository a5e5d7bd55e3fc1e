import http from 'k6/http';

export const options = {
  scenarios: { shared: { executor: 'shared-iterations', vus: 10, iterations: 100 } },
};

export default async function () {
  await http.asyncRequest('GET', `${__ENV.BASE_URL}/`);
}
