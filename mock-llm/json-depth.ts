/**
 * A bound on JSON nesting, checked on the raw text before `JSON.parse`: a body nested
 * thousands of levels deep parses fine in V8, but anything that later walks it
 * recursively (`JSON.stringify` in the request hash) overflows the stack. One pass over
 * the characters, no allocation: it tracks only whether it is inside a string.
 */

/** The deepest nesting of arrays and objects a request body may have. */
export const MAX_JSON_DEPTH = 64;

/**
 * The character offset where the text first opens a level deeper than `limit`, or -1.
 * Brackets inside strings do not count; the text need not be valid JSON (the parser
 * reports that afterwards).
 */
export function depthExceededAt(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return -1;
}
