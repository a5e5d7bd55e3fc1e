throw new Error('broken init context');
// eslint-disable-next-line no-unreachable
export default function () {}
