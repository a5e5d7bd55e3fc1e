/**
 * Redis operations (methodology §4.1 "Redis Operations: < 0.1 s per operation",
 * §6.2's "25 concurrent Redis operations"): 25 VUs, each running a realistic sequence
 * against real Redis through `k6/x/redis` — a cache write and read (SET EX / GET), a
 * counter (INCR), a small work list (RPUSH / LRANGE / LPOP), a hash (HSET / HGET) and a
 * pipeline-like burst (10 SETs issued at once, one round trip) — with keys that are
 * UUID-suffixed per VU (§7.1) and expire on their own.
 *
 *   redis_op_duration  Trend per operation, tag op:<command>   target: p(95) < 100 ms
 *   redis_op_success   Rate of operations that resolved as expected
 * xk6-redis emits no metrics of its own; timings use Date.now() (1 ms resolution:
 * averages stay unbiased, percentiles of sub-millisecond operations read 0 or 1).
 *
 * Each VU pauses THINK_TIME between sequences (a closed model, as in stress): with no
 * pause the 25 VUs would saturate the load generator and time its own event loop.
 *
 * Env: REDIS_URL (required), VUS (default 25), DURATION (default 15s; 6s with
 * PROFILE=short), THINK_TIME (s, default 0.1).
 */
import { check } from 'k6';
import exec from 'k6/execution';
import { Rate, Trend } from 'k6/metrics';
import redis from 'k6/x/redis';
import { numberEnv, phase, redisUrl } from './lib/config.ts';
import { uniqueSuffix } from './lib/data.ts';
import { pause } from './lib/timers.ts';

const opDuration = new Trend('redis_op_duration', true);
const opSuccess = new Rate('redis_op_success');
const client = new redis.Client(redisUrl());
const KEY_TTL_S = 120;
const BURST = 10;
const THINK_TIME = numberEnv('THINK_TIME', 0.1, true);

export const options = {
  scenarios: {
    redis: { executor: 'constant-vus', vus: numberEnv('VUS', 25), duration: phase('15s', '6s'), gracefulStop: '5s' },
  },
};

/** Runs one operation, records its duration under `op`, and whether `ok(result)` held. */
async function timed<T>(op: string, run: () => Promise<T>, ok: (v: T) => boolean = () => true): Promise<T | undefined> {
  const started = Date.now();
  try {
    const value = await run();
    opDuration.add(Date.now() - started, { op });
    opSuccess.add(ok(value), { op });
    return value;
  } catch (error) {
    opSuccess.add(false, { op });
    return undefined;
  }
}

export default async function (): Promise<void> {
  const ns = `k6:redis:${exec.vu.idInTest}:${uniqueSuffix()}`;
  const value = `payload-${ns}`;
  await timed(
    'set',
    () => client.set(`${ns}:cache`, value, KEY_TTL_S),
    (r) => r === 'OK',
  );
  const read = await timed(
    'get',
    () => client.get(`${ns}:cache`),
    (r) => r === value,
  );
  check(read, { 'GET returns what SET wrote': (r) => r === value });
  await timed(
    'incr',
    () => client.incr(`${ns}:counter`),
    (n) => n === 1,
  );
  await timed(
    'expire',
    () => client.expire(`${ns}:counter`, KEY_TTL_S),
    (b) => b === true,
  );
  await timed(
    'rpush',
    () => client.rpush(`${ns}:list`, 'a', 'b', 'c'),
    (n) => n === 3,
  );
  await timed(
    'expire',
    () => client.expire(`${ns}:list`, KEY_TTL_S),
    (b) => b === true,
  );
  await timed(
    'lrange',
    () => client.lrange(`${ns}:list`, 0, -1),
    (l) => l.length === 3,
  );
  await timed(
    'lpop',
    () => client.lpop(`${ns}:list`),
    (v) => v === 'a',
  );
  await timed(
    'hset',
    () => client.hset(`${ns}:hash`, 'status', 'queued'),
    (n) => n === 1,
  );
  await timed(
    'expire',
    () => client.expire(`${ns}:hash`, KEY_TTL_S),
    (b) => b === true,
  );
  await timed(
    'hget',
    () => client.hget(`${ns}:hash`, 'status'),
    (v) => v === 'queued',
  );
  // Pipeline-like burst: issued together, awaited together; the duration is the burst's.
  const keys = Array.from({ length: BURST }, (_, i) => `${ns}:burst:${i}`);
  await timed(
    'burst_set',
    () => Promise.all(keys.map((k) => client.set(k, '1', KEY_TTL_S))),
    (r) => r.every((x) => x === 'OK'),
  );
  await timed(
    'del',
    () => client.del(...keys),
    (n) => n === BURST,
  );
  await pause(THINK_TIME);
}
