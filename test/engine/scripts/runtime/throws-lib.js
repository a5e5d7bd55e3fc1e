// A helper module whose function throws: the error must point here, line 4.
export function failDeep(n) {
  const why = `deep failure ${n}`;
  throw new Error(why);
}
