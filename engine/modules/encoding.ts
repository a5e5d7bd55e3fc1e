/** k6/encoding: b64encode / b64decode with k6's encodings std, rawstd, url, rawurl. */
import type { ModuleFactory } from './api.ts';
import { bytesOf } from '../runtime/bytes.ts';

type Enc = 'std' | 'rawstd' | 'url' | 'rawurl';

function checkEnc(enc: unknown): Enc {
  const e = (enc ?? 'std') as Enc;
  if (!['std', 'rawstd', 'url', 'rawurl'].includes(e))
    throw new TypeError(`encoding: expected "std", "rawstd", "url" or "rawurl", got ${JSON.stringify(enc)}`);
  return e;
}

export function b64encode(input: unknown, encoding?: string): string {
  const e = checkEnc(encoding);
  const buf = bytesOf(input);
  if (buf === undefined) throw new TypeError('b64encode: expected a string or an ArrayBuffer');
  let out = e === 'url' || e === 'rawurl' ? buf.toString('base64url') : buf.toString('base64');
  if (e === 'rawstd') out = out.replace(/=+$/, '');
  if (e === 'url') out += '='.repeat((4 - (out.length % 4)) % 4);
  return out;
}

export function b64decode(input: string, encoding?: string, format?: string): string | ArrayBuffer {
  const e = checkEnc(encoding);
  if (typeof input !== 'string') throw new TypeError('b64decode: expected a string');
  const buf = Buffer.from(input, e === 'url' || e === 'rawurl' ? 'base64url' : 'base64');
  if (format === 's') return buf.toString('utf8');
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

export const createModule: ModuleFactory = () => {
  const api = { b64encode, b64decode };
  return { ...api, default: api };
};
