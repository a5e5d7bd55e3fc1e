/**
 * Engine throughput vs autocannon (the anchor), same node:http server in its own process,
 * same number of VUs / connections, same duration.
 *   node --import tsx bench/engine-throughput.ts [--vus 32] [--seconds 10] [--only async|sync]
 * Prints engine req/s ÷ autocannon req/s for async mode (goal ≥ 0.7) and sync mode (goal ≥ 0.4),
 * and the synchronous script (`http.get`) rewritten into awaits (async mode, issue 16) against the
 * async script in the same round (goal ≥ 0.9) and against autocannon.
 * The machine is shared, so each round runs autocannon right next to each engine run and the ratio
 * is the median over rounds (default 5: on a 2-core VM one round swings 0.45-0.9 with where the
 * scheduler puts autocannon and the server) of (engine ÷ the autocannon run next to it); in async
 * mode the order alternates (odd rounds autocannon first, even rounds the engine first). The server is warmed up
 * (2 s of autocannon, not counted) before the first round.
 * Sync mode runs one thread per VU: it is compared with autocannon at the same connection count.
 * `--floor` adds, to each round, the engine's designs with no engine code in them (design-floor.ts):
 * a bare undici dispatch loop for async mode and the thread-per-VU + I/O thread handshake for sync mode,
 * and prints what they reach against autocannon (what the design can reach at most on this machine)
 * and the engine against them.
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { asyncFloor, syncFloor } from './design-floor.ts';
import { onExit, runQuiet, Scripts, startServerProcess } from './engine-bench-lib.ts';

const { values } = parseArgs({
  options: {
    vus: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '5' },
    workers: { type: 'string' },
    'sync-vus': { type: 'string', default: '8' },
    only: { type: 'string' },
    floor: { type: 'boolean', default: false },
  },
});
const vus = Number(values.vus);
const syncVus = Number(values['sync-vus']);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const workers = values.workers ? Number(values.workers) : undefined;
/** `--only sync` / `--only async`: run one half (while iterating on it); default both. */
const only = values.only;
if (only !== undefined && only !== 'sync' && only !== 'async')
  throw new Error(`--only: expected sync or async, got ${JSON.stringify(only)}`);
const doAsync = only !== 'sync';
const doSync = only !== 'async';
const doFloor = values.floor === true;

/** autocannon has no type declarations: the part used here. */
type Autocannon = (o: {
  url: string;
  connections: number;
  duration: number;
  pipelining: number;
}) => Promise<{ requests: { total: number } }>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const ASYNC = `import http from 'k6/http';
export default async function () { await http.asyncRequest('GET', __ENV.URL); }
`;
const SYNC = `import http from 'k6/http';
export default function () { http.get(__ENV.URL); }
`;

/** CPU time (all threads of this process) a run used, and its requests. */
interface Cost {
  cpuMs: number;
  requests: number;
}
const costs = { autocannon: [] as Cost[], async: [] as Cost[], sync: [] as Cost[], classic: [] as Cost[] };

function cpuMs(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}

async function anchor(url: string, connections: number, secs = seconds): Promise<number> {
  const cpu0 = process.cpuUsage();
  const result = await autocannon({ url, connections, duration: secs, pipelining: 1 });
  costs.autocannon.push({ cpuMs: cpuMs(cpu0), requests: result.requests.total });
  return result.requests.total / secs;
}

/** `classic`: the synchronous script run in async mode, its blocking calls rewritten into awaits. */
async function engine(
  script: string,
  url: string,
  kind: 'async' | 'sync' | 'classic',
  n: number,
  secs = seconds,
): Promise<number> {
  const cpu0 = process.cpuUsage();
  const mode = kind === 'sync' ? 'sync' : 'async';
  const r = await runQuiet({ script, mode, workers, env: { URL: url }, flags: { vus: n, duration: `${secs}s` } });
  costs[kind].push({ cpuMs: cpuMs(cpu0), requests: r.values('http_reqs').count ?? 0 });
  if (r.exitCode !== 0) throw new Error(`engine exited ${r.exitCode}: ${r.stderr.slice(0, 2000)}`);
  const count = r.values('http_reqs').count ?? 0;
  const failed = r.values('http_req_failed').passes ?? 0;
  if (failed > 0) console.log(`  (engine ${kind}: ${failed} failed requests)`);
  return count / secs;
}

/**
 * Client CPU per request, from the difference between a long and a short run (so the engine's
 * fixed start-up cost cancels out). Robust to a machine shared with other work, unlike req/s.
 */
function marginalUs(list: Cost[]): number {
  const sorted = [...list].sort((a, b) => a.requests - b.requests);
  const lo = sorted[0]!;
  const hi = sorted[sorted.length - 1]!;
  return ((hi.cpuMs - lo.cpuMs) / Math.max(1, hi.requests - lo.requests)) * 1000;
}

const server = await startServerProcess();
const scripts = new Scripts();
onExit(async () => {
  await server.close();
  scripts.dispose();
});
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  console.log(
    `engine-throughput: async ${vus} VUs, sync ${syncVus} VUs (= autocannon connections), ${seconds} s per run, ${rounds} rounds, workers ${workers ?? 'default'}`,
  );
  const asyncScript = scripts.write('async.js', ASYNC);
  const syncScript = scripts.write('sync.js', SYNC);
  const ratios = {
    async: [] as number[],
    sync: [] as number[],
    classic: [] as number[],
    classicVsAsync: [] as number[],
    asyncFloor: [] as number[],
    syncFloor: [] as number[],
  };
  // Warm the server up (its JIT), not counted: otherwise whichever side runs first pays for it.
  await autocannon({ url: server.url, connections: vus, duration: 2, pipelining: 1 });
  for (let round = 1; round <= rounds; round++) {
    const parts: string[] = [];
    if (doAsync) {
      // Alternate which side runs first, so that neither gains from the order (a warmer server,
      // load that drifts during the round, anything the first run leaves behind in this process).
      let a1 = 0;
      if (round % 2 === 1) a1 = await anchor(server.url, vus);
      const e1 = await engine(asyncScript, server.url, 'async', vus);
      if (round % 2 === 0) a1 = await anchor(server.url, vus);
      ratios.async.push(e1 / a1);
      parts.push(`autocannon ${a1.toFixed(0)} req/s, engine async ${e1.toFixed(0)} req/s (${(e1 / a1).toFixed(2)})`);
      // The synchronous script, rewritten, right after (odd rounds) or before (even rounds) the async one.
      const c1 = await engine(syncScript, server.url, 'classic', vus);
      ratios.classic.push(c1 / a1);
      ratios.classicVsAsync.push(c1 / e1);
      parts.push(
        `sync script rewritten ${c1.toFixed(0)} req/s (${(c1 / e1).toFixed(2)} of async, ${(c1 / a1).toFixed(2)})`,
      );
      if (doFloor) {
        const f1 = await asyncFloor({ url: server.url, vus, seconds });
        ratios.asyncFloor.push(f1 / a1);
        parts.push(`async floor ${f1.toFixed(0)} req/s (${(f1 / a1).toFixed(2)})`);
      }
    }
    if (doSync) {
      const a2 = await anchor(server.url, syncVus);
      const e2 = await engine(syncScript, server.url, 'sync', syncVus);
      ratios.sync.push(e2 / a2);
      parts.push(`autocannon ${a2.toFixed(0)} req/s, engine sync ${e2.toFixed(0)} req/s (${(e2 / a2).toFixed(2)})`);
      if (doFloor) {
        const f2 = await syncFloor({ url: server.url, vus: syncVus, seconds });
        ratios.syncFloor.push(f2 / a2);
        parts.push(`sync floor ${f2.toFixed(0)} req/s (${(f2 / a2).toFixed(2)})`);
      }
    }
    console.log(`  round ${round}: ${parts.join('; ')}`);
  }
  // Short runs for the CPU-per-request estimate.
  await anchor(server.url, doAsync ? vus : syncVus, 2);
  if (doAsync) await engine(asyncScript, server.url, 'async', vus, 2);
  if (doAsync) await engine(syncScript, server.url, 'classic', vus, 2);
  if (doSync) await engine(syncScript, server.url, 'sync', syncVus, 2);
  const ac = marginalUs(costs.autocannon);
  const cpu = [`autocannon ${ac.toFixed(0)} µs`];
  if (doAsync) cpu.push(`engine async ${marginalUs(costs.async).toFixed(0)} µs`);
  if (doAsync) cpu.push(`engine sync script rewritten ${marginalUs(costs.classic).toFixed(0)} µs`);
  if (doSync) cpu.push(`engine sync ${marginalUs(costs.sync).toFixed(0)} µs`);
  console.log(`client CPU per request: ${cpu.join(', ')} (all threads of the process)`);
  if (doAsync)
    console.log(
      `async ratio: ${median(ratios.async).toFixed(2)} (median; goal >= 0.7); by CPU cost: ${(ac / marginalUs(costs.async)).toFixed(2)}`,
    );
  if (doAsync)
    console.log(
      `sync script rewritten: ${median(ratios.classicVsAsync).toFixed(2)} of the async script (median; goal >= 0.9), ${median(ratios.classic).toFixed(2)} of autocannon (median)`,
    );
  if (doSync)
    console.log(
      `sync ratio:  ${median(ratios.sync).toFixed(2)} (median; goal >= 0.4); by CPU cost: ${(ac / marginalUs(costs.sync)).toFixed(2)}`,
    );
  if (doFloor && doAsync)
    console.log(
      `async floor (bare undici dispatch loop) vs autocannon: ${median(ratios.asyncFloor).toFixed(2)} (median); engine async vs floor: ${(median(ratios.async) / median(ratios.asyncFloor)).toFixed(2)}`,
    );
  if (doFloor && doSync)
    console.log(
      `sync floor (thread per VU + I/O thread, no engine code) vs autocannon: ${median(ratios.syncFloor).toFixed(2)} (median); engine sync vs floor: ${(median(ratios.sync) / median(ratios.syncFloor)).toFixed(2)}`,
    );
} finally {
  await server.close();
  scripts.dispose();
}
