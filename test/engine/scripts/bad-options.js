export const options = {
  scenarios: {
    a: { executor: 'constant-arrival-rate', rate: 0, preAllocatedVUs: 5, maxVUs: 2 },
    b: { executor: 'externally-controlled', vus: 1 },
    c: { executor: 'shared-iterations', vus: 10, iterations: 5, exec: 'missing' },
  },
};

export default function () {}
