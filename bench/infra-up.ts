/**
 * Bring-up and teardown time of the local provider: Redis, PostgreSQL and Kafka, each
 * alone and all three together. "cold" is the first bring-up with an empty kit cache
 * (a fresh K6_LLM_PERF_CACHE holding only a link to the Kafka jars: no PostgreSQL
 * template, no formatted Kafka storage, no JVM class archive yet); "warm" is the median
 * of the next runs. Goal: all three healthy in under 15 s warm.
 * Anchor, measured in this same invocation: raw `redis-server` from spawn to PONG.
 *
 *   node --import tsx bench/infra-up.ts [--reps 3]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../infra/lifecycle/ports.ts';
import { waitUntil } from '../infra/lifecycle/wait.ts';
import { ensureSetup, KAFKA_VERSION, type ServiceName, startInfra } from '../infra/index.ts';
import { kafkaLibDir } from '../infra/setup/detect.ts';
import { ping } from '../infra/services/redis/local-redis.ts';

const GOAL_MS = 15_000;
const reps = Number(process.argv[process.argv.indexOf('--reps') + 1]) || 3;

interface Sample {
  upMs: number;
  downMs: number;
}

async function bringUp(services: ServiceName[]): Promise<Sample> {
  const t0 = performance.now();
  const infra = await startInfra({ provider: 'local', services, progress: 'silent' });
  const t1 = performance.now();
  await infra.down();
  return { upMs: t1 - t0, downMs: performance.now() - t1 };
}

/** The anchor: `redis-server` spawned by hand, timed to its first PONG, then killed. */
async function rawRedisMs(): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const result = await waitUntil(() => ping(port), { timeoutMs: 10_000, intervalMs: 5 });
  const ms = performance.now() - t0;
  child.kill('SIGKILL');
  if (!result.ok) throw new Error('anchor redis-server did not answer PING');
  return ms;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

const cases: Array<[string, ServiceName[]]> = [
  ['redis', ['redis']],
  ['postgres', ['postgres']],
  ['kafka', ['kafka']],
  ['all three', ['redis', 'postgres', 'kafka']],
];
await ensureSetup({ progress: 'silent' });

/** A cache with the jars but none of the templates / class archive the kit builds on first use. */
function freshCache(): string {
  const dir = mkdtempSync(join(tmpdir(), 'k6-llm-perf-bench-cache-'));
  mkdirSync(join(dir, `kafka-${KAFKA_VERSION}`));
  symlinkSync(kafkaLibDir(), join(dir, `kafka-${KAFKA_VERSION}`, 'libs'));
  return dir;
}

const anchors: number[] = [];
for (let i = 0; i < 5; i++) anchors.push(await rawRedisMs());
const anchor = median(anchors);

console.log(
  `infra-up bench: local provider, ${reps} warm reps, load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores, ${new Date().toISOString()}`,
);
console.log(`anchor: raw redis-server spawn → PONG  median ${anchor.toFixed(1)} ms (of ${anchors.length})`);
console.log('case        cold up    warm up (median)   teardown (median)   warm/anchor');
const results = new Map<string, { cold: Sample; warm: Sample }>();
const realCache = process.env.K6_LLM_PERF_CACHE;
const caches: string[] = [];
for (const [name, services] of cases) {
  const cache = freshCache();
  caches.push(cache);
  process.env.K6_LLM_PERF_CACHE = cache;
  const cold = await bringUp(services);
  const warm: Sample[] = [];
  for (let i = 0; i < reps; i++) warm.push(await bringUp(services));
  const w = { upMs: median(warm.map((x) => x.upMs)), downMs: median(warm.map((x) => x.downMs)) };
  results.set(name, { cold, warm: w });
  console.log(
    `${name.padEnd(10)}  ${s(cold.upMs).padStart(8)}   ${s(w.upMs).padStart(8)}           ${s(w.downMs).padStart(8)}            ${(w.upMs / anchor).toFixed(1)}x`,
  );
}
if (realCache === undefined) delete process.env.K6_LLM_PERF_CACHE;
else process.env.K6_LLM_PERF_CACHE = realCache;
for (const cache of caches) rmSync(cache, { recursive: true, force: true });
const all = results.get('all three')!;
const verdict = all.warm.upMs < GOAL_MS ? 'meets' : 'MISSES';
console.log(
  `goal: all three healthy < ${GOAL_MS / 1000} s warm → ${s(all.warm.upMs)}, ratio ${(all.warm.upMs / GOAL_MS).toFixed(2)} of the goal (${verdict} it); cold ${s(all.cold.upMs)}`,
);
