/**
 * Throughput of the mock LLM stub at zero latency, against a bare node:http anchor.
 *
 * 1. Non-streaming: autocannon (100 connections; after a 2 s warm-up, two 5 s
 *    rounds per server, interleaved) posts the same Anthropic request to the stub
 *    (performance mode, 100 output tokens) and to a bare node:http server that
 *    returns a JSON body of the same size. Prints requests/s of each and the ratio
 *    stub ÷ anchor (goal >= 0.6), and each server's CPU time per request (from
 *    /proc), a ratio that holds up better on a shared machine.
 * 2. Streaming: 500 concurrent streams of 200 tokens at zero inter-token latency
 *    for 8 s (after 2 s of warm-up on each), against the stub and against the bare server writing the same SSE
 *    bytes in one go. Prints tokens/s of each and the ratio.
 *
 * Each server runs in its own process; the clients run here.
 * Run: node --import tsx bench/mock-llm-throughput.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { ServerProcesses } from './server-processes.ts';

interface AutocannonResult {
  requests: { average: number; total: number };
  non2xx: number;
  errors: number;
  '2xx': number;
  duration: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const ROOT = resolve(import.meta.dirname, '..');
const ROUNDS = 2;
const SECONDS = 5;
const servers = new ServerProcesses(ROOT, 'mock-llm-bench-');
const { tmp, children } = servers;

const BARE_SERVER = `
import http from 'node:http';
import { readFileSync } from 'node:fs';
const body = readFileSync(process.env.BARE_BODY);
const sse = readFileSync(process.env.BARE_SSE);
const len = String(body.length);
const s = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url === '/sse') { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.end(sse); }
    else { res.writeHead(200, { 'content-type': 'application/json', 'content-length': len }); res.end(body); }
  });
});
s.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: 'http://127.0.0.1:' + s.address().port })));
process.on('SIGTERM', () => { s.closeAllConnections(); s.close(() => process.exit(0)); });
`;

const PROMPT = {
  model: 'claude-mock',
  max_tokens: 1000,
  messages: [{ role: 'user', content: 'Benchmark prompt: describe the system.' }],
};

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ (100)
  } catch {
    return Number.NaN;
  }
}

interface Round {
  ok: number;
  non2xx: number;
  errors: number;
  cpu: number;
}

/** One measured autocannon run (after a warm-up the first time) with the server's CPU use. */
async function hammer(url: string, body: string, pid: number | undefined, warm: boolean): Promise<Round> {
  const opts = { url, method: 'POST', body, headers: { 'content-type': 'application/json' }, connections: 100 };
  if (warm) await autocannon({ ...opts, duration: 2 });
  const cpu0 = cpuSeconds(pid);
  const r = await autocannon({ ...opts, duration: SECONDS });
  return { ok: r['2xx'], non2xx: r.non2xx, errors: r.errors, cpu: cpuSeconds(pid) - cpu0 };
}

function sum(rounds: Round[]): Round {
  return rounds.reduce((a, r) => ({
    ok: a.ok + r.ok,
    non2xx: a.non2xx + r.non2xx,
    errors: a.errors + r.errors,
    cpu: a.cpu + r.cpu,
  }));
}

/** `concurrency` loops of streaming requests for `seconds`; returns completed streams and bytes. */
async function streams(
  url: string,
  body: string,
  concurrency: number,
  seconds: number,
): Promise<{ done: number; elapsed: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  const until = performance.now() + seconds * 1000;
  let done = 0;
  const one = (): Promise<void> =>
    new Promise((res, rej) => {
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json' },
        },
        (r) => {
          r.on('data', () => {});
          r.on('end', () => {
            if (r.statusCode === 200) done++;
            res();
          });
        },
      );
      req.on('error', rej);
      req.end(body);
    });
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) await one();
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  return { done, elapsed };
}

async function main(): Promise<void> {
  const cfg = join(tmp, 'config.json');
  writeFileSync(cfg, JSON.stringify({ latency: { ttftMs: 0, itlMs: 0 }, output: { tokens: 100 } }));
  const stubUrl = await servers.start([
    '--import',
    'tsx',
    'cli/main.ts',
    'mock-llm',
    '--performance-mode',
    '--config',
    cfg,
    '--json',
  ]);
  const body = JSON.stringify(PROMPT);
  const sample = await (
    await fetch(`${stubUrl}/v1/messages`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })
  ).text();
  const streamCfg = JSON.stringify({ output: { tokens: 200 } });
  await fetch(`${stubUrl}/__admin/config`, {
    method: 'PUT',
    body: streamCfg,
    headers: { 'content-type': 'application/json' },
  });
  const streamBody = JSON.stringify({ ...PROMPT, stream: true });
  const sse = await (
    await fetch(`${stubUrl}/v1/messages`, {
      method: 'POST',
      body: streamBody,
      headers: { 'content-type': 'application/json' },
    })
  ).text();
  const tokensPerStream = sse.split('"text_delta"').length - 1;
  await fetch(`${stubUrl}/__admin/config`, {
    method: 'PUT',
    body: JSON.stringify({ output: { tokens: 100 } }),
    headers: { 'content-type': 'application/json' },
  });
  writeFileSync(join(tmp, 'body.json'), sample);
  writeFileSync(join(tmp, 'body.sse'), sse);
  const bareUrl = await servers.start(['--input-type=module', '-e', BARE_SERVER], {
    BARE_BODY: join(tmp, 'body.json'),
    BARE_SSE: join(tmp, 'body.sse'),
  });

  console.log(
    `machine: ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (shared: other processes compete for the cores)`,
  );
  console.log(
    `mock-llm throughput (node ${process.version}, response body ${Buffer.byteLength(sample)} B, autocannon 100 connections, ${ROUNDS} x ${SECONDS} s each, interleaved)`,
  );
  const bareRounds: Round[] = [];
  const stubRounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    bareRounds.push(await hammer(bareUrl, body, children[1]?.pid, i === 0));
    stubRounds.push(await hammer(`${stubUrl}/v1/messages`, body, children[0]?.pid, i === 0));
  }
  const bare = sum(bareRounds);
  const stub = sum(stubRounds);
  const secs = ROUNDS * SECONDS;
  const line = (name: string, r: Round): string =>
    `  ${name.padEnd(15)} ${(r.ok / secs).toFixed(0).padStart(8)} req/s  server CPU ${((r.cpu / r.ok) * 1e6).toFixed(1)} us/req  (non-2xx ${r.non2xx}, errors ${r.errors})`;
  console.log(line('bare node:http', bare));
  console.log(line('mock-llm', stub));
  console.log(
    `  ratio stub/bare ${(stub.ok / bare.ok).toFixed(2)} req/s (goal >= 0.6); by server CPU per request ${(bare.cpu / bare.ok / (stub.cpu / stub.ok)).toFixed(2)}`,
  );

  await fetch(`${stubUrl}/__admin/config`, {
    method: 'PUT',
    body: streamCfg,
    headers: { 'content-type': 'application/json' },
  });
  console.log(`streaming: 500 concurrent streams of ${tokensPerStream} tokens, zero inter-token latency, 8 s`);
  await streams(`${bareUrl}/sse`, streamBody, 500, 2); // warm-up: connections, JIT of both sides
  await streams(`${stubUrl}/v1/messages`, streamBody, 500, 2);
  const bareS = await streams(`${bareUrl}/sse`, streamBody, 500, 8);
  const stubS = await streams(`${stubUrl}/v1/messages`, streamBody, 500, 8);
  const tps = (r: { done: number; elapsed: number }): number => (r.done * tokensPerStream) / r.elapsed;
  console.log(`  bare node:http  ${tps(bareS).toFixed(0).padStart(8)} tokens/s  (${bareS.done} streams)`);
  console.log(`  mock-llm        ${tps(stubS).toFixed(0).padStart(8)} tokens/s  (${stubS.done} streams)`);
  console.log(`  ratio stub/bare ${(tps(stubS) / tps(bareS)).toFixed(2)}`);
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => servers.stopAll());
