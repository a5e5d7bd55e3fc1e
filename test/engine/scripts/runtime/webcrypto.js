// k6's WebCrypto global: getRandomValues, randomUUID and subtle, with the algorithms k6 implements.
import { check } from 'k6';

export const options = { iterations: 1 };

const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

async function rejection(p) {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return e.name;
  }
}

export default async function () {
  const bytes = new Uint8Array(16);
  check(crypto.getRandomValues(bytes), { 'getRandomValues fills and returns the array': (a) => a === bytes && a.some((b) => b !== 0) });
  check(crypto.randomUUID(), { 'randomUUID is a v4 UUID': (u) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(u) });
  const digest = await crypto.subtle.digest('SHA-256', new Uint8Array([97, 98, 99]));
  check(hex(digest), { 'subtle.digest SHA-256': (d) => d === 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' });
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new Uint8Array([1, 2, 3]));
  const opened = await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, sealed);
  check(Array.from(new Uint8Array(opened)), { 'AES-GCM round trip': (a) => a.join() === '1,2,3' });
  const hmac = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  const sig = await crypto.subtle.sign('HMAC', hmac, new Uint8Array([1]));
  check(await crypto.subtle.verify('HMAC', hmac, sig, new Uint8Array([1])), { 'HMAC sign and verify': (v) => v === true });
  check(await rejection(crypto.subtle.digest('MD5', new Uint8Array([1]))), { 'MD5 is not supported': (n) => n === 'NotSupportedError' });
  check(await rejection(crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])), { 'Ed25519 is not supported': (n) => n === 'NotSupportedError' });
}
