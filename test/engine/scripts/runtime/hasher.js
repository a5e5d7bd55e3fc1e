// k6/crypto hashers: digest() may be called again (k6 returns the digest again), update() goes on.
import crypto from 'k6/crypto';
import { check } from 'k6';

export const options = { iterations: 1 };

export default function () {
  const h = crypto.createHash('sha256');
  h.update('abc');
  const first = h.digest('hex');
  const second = h.digest('hex');
  h.update('def');
  const third = h.digest('hex');
  check(first, { 'sha256 of abc': (d) => d === 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' });
  check(second, { 'a second digest returns the digest again': (d) => d === first });
  check(third, { 'update after digest goes on from the data so far': (d) => d === crypto.sha256('abcdef', 'hex') });
  const m = crypto.createHMAC('sha256', 'key');
  m.update('msg');
  const mac = m.digest('hex');
  check(m.digest('hex'), { 'an HMAC digested twice gives the same MAC': (d) => d === mac && d === crypto.hmac('sha256', 'key', 'msg', 'hex') });
}
