/**
 * A bound on JSON nesting, checked on the raw text before `JSON.parse`: a body nested
 * thousands of levels deep parses fine in V8, but anything that later walks it
 * recursively (`JSON.stringify` in the request hash) overflows the stack. One pass,
 * no allocation.
 */

/** The deepest nesting of arrays and objects a request body may have. */
export const MAX_JSON_DEPTH = 64;

/**
 * The character offset where the text first opens a level deeper than `limit`, or -1.
 * Brackets inside strings do not count; the text need not be valid JSON (the parser
 * reports that afterwards). Strings are skipped with indexOf (native), so the cost
 * follows the body's structure, not the length of its text.
 */
export function depthExceededAt(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = stringEnd(text, i);
      if (i < 0) return -1; // unterminated: JSON.parse says so
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return -1;
}

/** The offset of the quote closing the string opened at `open`, or -1. */
function stringEnd(text: string, open: number): number {
  let q = text.indexOf('"', open + 1);
  while (q >= 0) {
    let backslashes = 0;
    while (text.charCodeAt(q - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return q;
    q = text.indexOf('"', q + 1);
  }
  return -1;
}
