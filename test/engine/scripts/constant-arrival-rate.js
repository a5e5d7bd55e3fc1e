import http from 'k6/http';

export const options = {
  scenarios: {
    open: { executor: 'constant-arrival-rate', rate: 50, timeUnit: '1s', duration: '4s', preAllocatedVUs: 10, maxVUs: 60 },
  },
};

export default async function () {
  await http.asyncRequest('GET', `${__ENV.BASE_URL}/`);
}
