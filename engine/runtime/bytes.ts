/**
 * The bytes of a value a script hands to a k6 API that takes binary data: a string (its UTF-8
 * bytes), an ArrayBuffer (what `open(path, 'b')` returns) or a typed array, viewed without a copy;
 * with `byteArrays`, also an array of byte values (http.file accepts one). Undefined for anything
 * else: each caller says in its own words what it expected.
 */
export function bytesOf(input: unknown, byteArrays = false): Buffer | undefined {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  if (input instanceof ArrayBuffer) return Buffer.from(input);
  if (ArrayBuffer.isView(input)) return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (byteArrays && Array.isArray(input) && input.every((b) => Number.isInteger(b) && b >= 0 && b <= 255))
    return Buffer.from(input as number[]);
  return undefined;
}
