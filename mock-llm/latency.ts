/**
 * Draws from the configured distributions with a seeded generator. Pure functions
 * of (distribution, generator): the tests check their statistics without a clock.
 */
import type { Distribution } from './config.ts';
import type { Rng } from './prng.ts';

/** z of the standard normal's 95th percentile. */
const Z95 = 1.6448536269514722;

/** One standard normal draw (Box–Muller, the cosine branch). */
function standardNormal(rng: Rng): number {
  const u1 = 1 - rng.next(); // (0, 1]: log is finite
  const u2 = rng.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** One non-negative draw. */
export function sample(d: Distribution, rng: Rng): number {
  if (typeof d === 'number') return d;
  switch (d.type) {
    case 'fixed':
      return d.value;
    case 'uniform':
      return d.min + (d.max - d.min) * rng.next();
    case 'normal':
      return Math.max(0, d.mean + d.stddev * standardNormal(rng));
    case 'lognormal': {
      const mu = Math.log(d.median);
      const sigma = (Math.log(d.p95) - mu) / Z95;
      return Math.exp(mu + sigma * standardNormal(rng));
    }
  }
}

/** True when every draw of `d` is 0: lets the hot path skip timers. */
export function isZero(d: Distribution): boolean {
  if (typeof d === 'number') return d === 0;
  if (d.type === 'fixed') return d.value === 0;
  if (d.type === 'uniform') return d.max === 0;
  return false;
}

/** An integer token count >= 1 from a distribution (rounded). */
export function sampleCount(d: Distribution, rng: Rng): number {
  return Math.max(1, Math.round(sample(d, rng)));
}
