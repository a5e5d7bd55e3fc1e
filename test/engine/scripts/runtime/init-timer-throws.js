// A timer set in the init context that throws fails the init context (k6: exit 107).
setTimeout(() => {
  throw new Error('thrown in an init timer');
}, 20);

export const options = { iterations: 1 };

export default function () {
  console.log('an iteration ran');
}
