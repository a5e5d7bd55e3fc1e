/**
 * Unique test data (methodology §7.1): every request carries a UUID-suffixed
 * client_request_id, so concurrent VUs, repeated iterations and parallel runs never
 * collide on the service's unique constraint.
 *
 * The methodology's generator keeps 8 hex characters of a uuid4; at bulk volumes that
 * collides by the birthday bound (50 % after ~77 000 batches), so the full 32 are kept.
 */
import { randomBytes } from 'k6/crypto';
import { prompt, type Mode } from './prompt.ts';

export { prompt, type Mode };

export interface RequestModel {
  client_request_id: string;
  messages: Array<{ role: 'user' | 'assistant'; content: string }>;
  mode: Mode;
  max_tokens?: number;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => (i + 0x100).toString(16).slice(1));

/** An RFC 4122 version-4 UUID from k6's cryptographic random bytes. */
export function uuid4(): string {
  const b = new Uint8Array(randomBytes(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => HEX[x]!);
  return `${h.slice(0, 4).join('')}-${h.slice(4, 6).join('')}-${h.slice(6, 8).join('')}-${h.slice(8, 10).join('')}-${h.slice(10).join('')}`;
}

/** 32 hex characters, no dashes. */
export const uniqueSuffix = (): string => uuid4().replace(/-/g, '');

/** One request with a fresh client_request_id: `<prefix>-<uuid32>`. */
export function uniqueRequest(prefix: string, mode: Mode = 'quick'): RequestModel {
  const suffix = uniqueSuffix();
  return {
    client_request_id: `${prefix}-${suffix}`,
    messages: [{ role: 'user', content: prompt(mode, suffix.charCodeAt(0)) }],
    mode,
  };
}

/**
 * `count` requests sharing one UUID suffix, numbered: `<prefix>-<uuid32>-<i>`, the
 * methodology's `generate_unique_requests(count)`.
 */
export function generateUniqueRequests(count: number, prefix: string, mode: Mode = 'quick'): RequestModel[] {
  const suffix = uniqueSuffix();
  const out: RequestModel[] = [];
  for (let i = 0; i < count; i++) {
    out.push({
      client_request_id: `${prefix}-${suffix}-${i}`,
      messages: [{ role: 'user', content: prompt(mode, i) }],
      mode,
    });
  }
  return out;
}
