/**
 * Overhead of the engine's extension modules against the library under each, on a real
 * local Redis and PostgreSQL (local provider), in this process:
 *
 * 1. k6/x/redis: 25 concurrent loops of SET+GET for 4 s through `redis.Client` (the
 *    module), then through a bare ioredis client with its defaults (the anchor) — ops/s
 *    and module ÷ anchor. The module turns ioredis auto-pipelining on, so it may exceed 1.
 * 2. k6/x/sql: 8 concurrent loops of `SELECT $1::int` for 4 s through `db.query`, then
 *    through a bare pg.Pool of the same size — queries/s and module ÷ anchor.
 * Goal: both ratios >= 0.8 (the module's validation and conversions stay cheap).
 *
 * Run: node --import tsx bench/x-modules.ts
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import { startInfra } from '../infra/index.ts';
import { createModule as createRedis } from '../engine/modules/x/redis.ts';
import { createModule as createSql } from '../engine/modules/x/sql.ts';
import { createModule as createDriver } from '../engine/modules/x/sql-driver-postgres.ts';
import type { VuContext } from '../engine/modules/api.ts';

const SECONDS = 4;
const closers: Array<() => void | Promise<void>> = [];
const vu: VuContext = {
  idInTest: 1,
  env: {},
  mode: 'async',
  metrics: { define() {}, add() {} },
  phase: () => 'iteration',
  currentTags: () => ({}),
  iterationSignal: () => null,
  onClose: (fn) => {
    closers.push(fn);
  },
};

/** Runs `loops` concurrent loops of `op` for SECONDS; returns operations per second. */
async function rate(loops: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const end = Date.now() + SECONDS * 1000;
  let count = 0;
  await Promise.all(
    Array.from({ length: loops }, async (_, l) => {
      for (let i = 0; Date.now() < end; i++) {
        await op(l * 1_000_000 + i);
        count++;
      }
    }),
  );
  return count / SECONDS;
}

const line = (what: string, module: number, anchor: number) =>
  console.log(
    `${what.padEnd(12)} module ${module.toFixed(0).padStart(7)}/s   anchor ${anchor.toFixed(0).padStart(7)}/s   ratio ${(module / anchor).toFixed(2)}`,
  );

const infra = await startInfra({ provider: 'local', services: ['redis', 'postgres'], progress: 'silent' });
try {
  const redisUrl = infra.endpoints.redis!.url;
  const Client = (
    createRedis(vu) as { Client: new (url: string) => Record<string, (...a: unknown[]) => Promise<unknown>> }
  ).Client;
  const client = new Client(redisUrl);
  const bare = new Redis(redisUrl);
  const viaModule = async (i: number) => {
    await client.set!(`b:${i % 1000}`, 'v', 0);
    await client.get!(`b:${i % 1000}`);
  };
  const viaBare = async (i: number) => {
    await bare.set(`b:${i % 1000}`, 'v');
    await bare.get(`b:${i % 1000}`);
  };
  await rate(25, viaBare); // warm-up
  line('redis', (await rate(25, viaModule)) * 2, (await rate(25, viaBare)) * 2);
  bare.disconnect();

  const dbUrl = infra.endpoints.postgres!.url;
  const open = (
    createSql(vu) as { open: (d: unknown, u: string) => { query(q: string, ...a: unknown[]): Promise<unknown> } }
  ).open;
  const db = open((createDriver(vu) as { default: symbol }).default, dbUrl);
  const pool = new pg.Pool({ connectionString: dbUrl, max: 4 });
  await rate(8, (i) => pool.query('SELECT $1::int AS n', [i % 1000])); // warm-up
  line(
    'sql',
    await rate(8, (i) => db.query('SELECT $1::int AS n', i % 1000)),
    await rate(8, (i) => pool.query('SELECT $1::int AS n', [i % 1000])),
  );
  await pool.end();
} finally {
  for (const fn of closers.reverse()) await fn();
  await infra.down();
}
