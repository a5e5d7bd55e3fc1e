// An iteration that throws is logged and counted; the test goes on (exit 0).
export const options = { iterations: 4, vus: 1 };

export default async function () {
  if (__ITER % 2 === 0) throw new Error(`boom ${__ITER}`);
}
