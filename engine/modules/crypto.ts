/**
 * k6/crypto: md5, sha1, sha256, sha384, sha512, sha512_224, sha512_256, ripemd160,
 * hmac, createHash, createHMAC, randomBytes. Output encodings "hex", "base64", "base64url",
 * "base64rawurl", "binary" (ArrayBuffer), as k6.
 */
import { createHash as nodeHash, createHmac, randomBytes as nodeRandom } from 'node:crypto';
import type { ModuleFactory } from './api.ts';

const ALGOS: Record<string, string> = {
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha512_224: 'sha512-224',
  sha512_256: 'sha512-256',
  ripemd160: 'ripemd160',
};

function algo(name: string): string {
  const a = ALGOS[name];
  if (!a)
    throw new TypeError(
      `k6/crypto: unknown algorithm ${JSON.stringify(name)}; expected one of ${Object.keys(ALGOS).join(', ')}`,
    );
  return a;
}

function data(input: unknown): Buffer | string {
  if (typeof input === 'string') return input;
  if (input instanceof ArrayBuffer) return Buffer.from(input);
  if (ArrayBuffer.isView(input)) return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  throw new TypeError('k6/crypto: expected a string or an ArrayBuffer');
}

function out(buf: Buffer, enc: string): string | ArrayBuffer {
  switch (enc) {
    case 'hex':
      return buf.toString('hex');
    case 'base64':
      return buf.toString('base64');
    case 'base64url':
      return buf.toString('base64url') + '='.repeat((4 - (buf.toString('base64url').length % 4)) % 4);
    case 'base64rawurl':
      return buf.toString('base64url');
    case 'binary':
      return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
    default:
      throw new TypeError(
        `k6/crypto: unknown output encoding ${JSON.stringify(enc)}; expected hex, base64, base64url, base64rawurl or binary`,
      );
  }
}

/**
 * A hasher of createHash/createHMAC. As in k6 (Go's hash.Hash, whose Sum does not reset), digest()
 * may be called again, and update() after it goes on from the data so far: each digest is of
 * everything given since the hasher was made.
 */
class Hasher {
  private readonly hash: ReturnType<typeof nodeHash> | null = null;
  /** An HMAC's input so far (Node's Hmac cannot be copied, so each digest recomputes it). */
  private readonly chunks: Array<Buffer | string> = [];
  private readonly algorithm: string;
  private readonly key: Buffer | string | null = null;
  constructor(name: string, key?: unknown) {
    this.algorithm = algo(name);
    if (key === undefined) this.hash = nodeHash(this.algorithm);
    else this.key = data(key);
  }
  update(input: unknown): void {
    if (this.hash) this.hash.update(data(input));
    else this.chunks.push(data(input));
  }
  digest(enc: string): string | ArrayBuffer {
    if (this.hash) return out(this.hash.copy().digest(), enc);
    const mac = createHmac(this.algorithm, this.key!);
    for (const c of this.chunks) mac.update(c);
    return out(mac.digest(), enc);
  }
}

const hash = (name: string) => (input: unknown, enc: string) =>
  out(nodeHash(algo(name)).update(data(input)).digest(), enc);

export const createModule: ModuleFactory = () => {
  const api = {
    md5: hash('md5'),
    sha1: hash('sha1'),
    sha256: hash('sha256'),
    sha384: hash('sha384'),
    sha512: hash('sha512'),
    sha512_224: hash('sha512_224'),
    sha512_256: hash('sha512_256'),
    ripemd160: hash('ripemd160'),
    hmac: (name: string, key: unknown, input: unknown, enc: string) =>
      out(createHmac(algo(name), data(key)).update(data(input)).digest(), enc),
    createHash: (name: string) => new Hasher(name),
    createHMAC: (name: string, key: unknown) => new Hasher(name, key),
    randomBytes: (n: number) => {
      const b = nodeRandom(n);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    },
  };
  return { ...api, default: api };
};
