/**
 * k6's global `crypto` (its WebCrypto): `getRandomValues`, `randomUUID`, `subtle` and `CryptoKey`,
 * on Node's WebCrypto, limited to the algorithms k6 implements. Checked against k6 v2.2.0:
 * digest SHA-1/256/384/512; AES-CBC, AES-CTR, AES-GCM, AES-KW, HMAC, ECDSA, ECDH, RSA-OAEP, RSA-PSS,
 * RSASSA-PKCS1-v1_5 and PBKDF2. Anything else (MD5, Ed25519, X25519, HKDF, ...) rejects with
 * k6's NotSupportedError: `algorithm "ED25519" doesn't support (in implementation) operation "generateKey"`.
 */
import { webcrypto } from 'node:crypto';

const DIGESTS = new Set(['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']);
const KEYS = new Set([
  'AES-CBC',
  'AES-CTR',
  'AES-GCM',
  'AES-KW',
  'HMAC',
  'ECDSA',
  'ECDH',
  'RSA-OAEP',
  'RSA-PSS',
  'RSASSA-PKCS1-v1_5',
  'PBKDF2',
]);
const UPPER = new Map([...DIGESTS, ...KEYS].map((n) => [n.toUpperCase(), n]));

type Subtle = typeof webcrypto.subtle;
type Op = Exclude<keyof Subtle, symbol>;

/** Which arguments of each SubtleCrypto method name an algorithm. */
const ALGORITHM_ARGS: Readonly<Partial<Record<Op, readonly number[]>>> = {
  encrypt: [0],
  decrypt: [0],
  sign: [0],
  verify: [0],
  digest: [0],
  generateKey: [0],
  deriveKey: [0, 2],
  deriveBits: [0],
  importKey: [2],
  wrapKey: [3],
  unwrapKey: [3, 4],
};

function nameOf(alg: unknown): string {
  if (typeof alg === 'string') return alg;
  if (alg && typeof alg === 'object' && typeof (alg as { name?: unknown }).name === 'string')
    return (alg as { name: string }).name;
  return String(alg);
}

/** Null when k6 supports `alg` for `op`, else k6's NotSupportedError. */
function unsupported(op: Op, alg: unknown): DOMException | null {
  const name = nameOf(alg);
  const known = UPPER.get(name.toUpperCase());
  const ok = op === 'digest' ? known !== undefined && DIGESTS.has(known) : known !== undefined && KEYS.has(known);
  if (ok) return null;
  return new DOMException(
    `algorithm ${JSON.stringify(name.toUpperCase())} doesn't support (in implementation) operation ${JSON.stringify(op)}`,
    'NotSupportedError',
  );
}

function guarded(op: Op): (...args: unknown[]) => Promise<unknown> {
  const fn = (webcrypto.subtle[op] as (...a: unknown[]) => Promise<unknown>).bind(webcrypto.subtle);
  const positions = ALGORITHM_ARGS[op] ?? [];
  return (...args: unknown[]) => {
    for (const i of positions) {
      const err = unsupported(op, args[i]);
      if (err) return Promise.reject(err);
    }
    return fn(...args);
  };
}

const OPS: readonly Op[] = [
  'encrypt',
  'decrypt',
  'sign',
  'verify',
  'digest',
  'generateKey',
  'deriveKey',
  'deriveBits',
  'importKey',
  'exportKey',
  'wrapKey',
  'unwrapKey',
];

const subtle = Object.freeze(Object.fromEntries(OPS.map((op) => [op, guarded(op)])));

/** The object a script sees as `crypto` (one per realm: it holds no state). */
export const k6Crypto = Object.freeze({
  getRandomValues: (array: unknown): unknown =>
    webcrypto.getRandomValues(array as Parameters<typeof webcrypto.getRandomValues>[0]),
  randomUUID: (): string => webcrypto.randomUUID(),
  subtle,
  CryptoKey: webcrypto.CryptoKey,
});
