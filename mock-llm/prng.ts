/**
 * Seeded randomness. Everything random in the stub comes from here, so the same
 * (seed, request) always draws the same numbers, whatever the order or concurrency
 * of other requests.
 *
 * - `Hasher` is cyrb53 (two 32-bit multiply-xor lanes), 53 bits as [hi, lo].
 * - `Rng` is sfc32 (small fast counter), its 128-bit state filled by splitmix32 from
 *   the key words (seed, hash hi, hash lo, stream). It passes PractRand far beyond
 *   what a test run draws, and costs a few integer operations per number.
 */

/**
 * cyrb53 fed piece by piece: each string's characters, then its length (so piece
 * boundaries count). Lets a request key be hashed while it is validated, without
 * serialising the request again.
 */
export class Hasher {
  private h1: number;
  private h2: number;

  constructor(salt = 0) {
    this.h1 = 0xdeadbeef ^ salt;
    this.h2 = 0x41c6ce57 ^ salt;
  }

  add(text: string): this {
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    this.h1 = Math.imul(h1 ^ text.length ^ 0x9e3779b9, 2654435761);
    this.h2 = Math.imul(h2 ^ text.length ^ 0x7f4a7c15, 1597334677);
    return this;
  }

  /** A string as is; anything else as its JSON. */
  addValue(value: unknown): this {
    return this.add(typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined'));
  }

  /** 53 bits as [hi (21 bits), lo (32 bits)]. */
  digest(): [number, number] {
    let h1 = this.h1;
    let h2 = this.h2;
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return [(h2 & 0x1fffff) >>> 0, h1 >>> 0];
  }
}

/** A 53-bit hash of one string, as [hi (21 bits), lo (32 bits)]. */
export function hashString(text: string, salt = 0): [number, number] {
  return new Hasher(salt).add(text).digest();
}

/** splitmix32 step: a well-mixed 32-bit word from a counter. */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A deterministic generator keyed by up to four 32-bit words. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(k0: number, k1 = 0, k2 = 0, k3 = 0) {
    this.a = splitmix32(k0 ^ 0x243f6a88);
    this.b = splitmix32(k1 ^ this.a);
    this.c = splitmix32(k2 ^ this.b);
    this.d = splitmix32(k3 ^ this.c) | 1;
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** Streams drawn from one request key: each concern gets its own independent generator. */
export const Stream = {
  TEXT: 1,
  LATENCY: 2,
  FAULT: 3,
  ID: 4,
} as const;
