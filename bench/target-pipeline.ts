/**
 * Throughput of the reference target: POST /v1/requests under autocannon (32
 * connections, 2 s warm-up, 8 s measured) against an anchor in the same invocation, a
 * bare node:http child answering the same 202 JSON without any I/O, so the ratio is
 * what the transaction + outbox insert + XADD cost. Then the pipeline drain: how long
 * the worker (LLM stub in performance mode) and the relay take to complete every
 * submitted request and publish every outbox event to Kafka.
 *
 * Needs the local provider's servers (npm run setup). Run: node --import tsx bench/target-pipeline.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { startInfra } from '../infra/index.ts';
import { spawnTarget } from '../service/index.ts';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const CONNECTIONS = 32;
const BODY = JSON.stringify({ prompt: 'Benchmark prompt: describe the system.', mode: 'quick', max_tokens: 64 });

const ANCHOR = `
import http from 'node:http';
import { randomUUID } from 'node:crypto';
const s = http.createServer((req, res) => {
  let n = 0;
  req.on('data', (c) => (n += c.length));
  req.on('end', () => {
    const body = JSON.stringify({ id: randomUUID(), status: 'queued', client_request_id: null });
    res.writeHead(202, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
s.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + s.address().port));
process.on('SIGTERM', () => { s.closeAllConnections(); s.close(() => process.exit(0)); });
`;

/** A child process printing its URL first (plain, or as {"url"} JSON). */
function startChild(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) =>
      resolve({ url: line.startsWith('{') ? (JSON.parse(line) as { url: string }).url : line, child }),
    );
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

async function hammer(url: string): Promise<AutocannonResult> {
  const opts = {
    url: `${url}/v1/requests`,
    method: 'POST',
    body: BODY,
    headers: { 'content-type': 'application/json' },
    connections: CONNECTIONS,
  };
  await autocannon({ ...opts, duration: 2 });
  return autocannon({ ...opts, duration: 8 });
}

async function drain(pool: pg.Pool): Promise<{ seconds: number; requests: number; events: number }> {
  const started = Date.now();
  for (;;) {
    const r = await pool.query<{ open: number; backlog: number; requests: number; events: number }>(
      `SELECT (SELECT count(*) FROM llm_requests WHERE status IN ('queued','processing'))::int AS open,
              (SELECT count(*) FROM outbox_events WHERE published_at IS NULL)::int AS backlog,
              (SELECT count(*) FROM llm_requests)::int AS requests,
              (SELECT count(*) FROM outbox_events)::int AS events`,
    );
    const row = r.rows[0]!;
    if (row.open === 0 && row.backlog === 0)
      return { seconds: (Date.now() - started) / 1000, requests: row.requests, events: row.events };
    if (Date.now() - started > 300_000) throw new Error(`drain did not finish: ${JSON.stringify(row)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

const infra = await startInfra({ provider: 'local', services: ['redis', 'postgres', 'kafka'], progress: 'silent' });
// Every server in its own process: autocannon here must not share an event loop with them.
const llm = await startChild([
  new URL('../bin/k6-llm-perf.js', import.meta.url).pathname,
  'mock-llm',
  '--performance-mode',
  '--json',
]);
const anchor = await startChild(['--input-type=module', '-e', ANCHOR]);
const pool = new pg.Pool({ connectionString: infra.endpoints.postgres!.url, max: 2 });
let target: Awaited<ReturnType<typeof spawnTarget>> | undefined;
try {
  target = await spawnTarget({
    redisUrl: infra.endpoints.redis!.url,
    databaseUrl: infra.endpoints.postgres!.url,
    kafkaBrokers: infra.endpoints.kafka!.brokers,
    llmUrl: llm.url,
    workerConcurrency: 64,
  });
  const a = await hammer(anchor.url);
  const submittedAt = Date.now();
  const t = await hammer(target.url);
  const d = await drain(pool);
  const pipelineSeconds = (Date.now() - submittedAt) / 1000;
  const metrics = await (await fetch(`${target.url}/metrics`)).text();
  const lagSum = Number(/^target_relay_publish_lag_seconds_sum (\S+)/m.exec(metrics)?.[1]);
  const lagCount = Number(/^target_relay_publish_lag_seconds_count (\S+)/m.exec(metrics)?.[1]);
  console.log(
    `target pipeline (node ${process.version}, autocannon ${CONNECTIONS} connections, 8 s measured after 2 s)`,
  );
  console.log(
    `  anchor (bare node:http 202)      ${a.requests.average.toFixed(0)} req/s  p50 ${a.latency.p50} ms  p99 ${a.latency.p99} ms`,
  );
  console.log(
    `  target POST /v1/requests         ${t.requests.average.toFixed(0)} req/s  p50 ${t.latency.p50} ms  p99 ${t.latency.p99} ms  non-2xx ${t.non2xx}  errors ${t.errors}`,
  );
  console.log(`  ratio target/anchor              ${(t.requests.average / a.requests.average).toFixed(3)}`);
  console.log(
    `  drain after the load             ${d.seconds.toFixed(1)} s; ${d.requests} requests completed, ${d.events} events published`,
  );
  console.log(
    `  pipeline completions             ${(d.requests / pipelineSeconds).toFixed(0)} requests/s over ${pipelineSeconds.toFixed(1)} s (warm-up included)`,
  );
  console.log(
    `  relay publish lag (mean)         ${((lagSum / lagCount) * 1000).toFixed(1)} ms over ${lagCount} events`,
  );
} finally {
  await target?.stop();
  anchor.child.kill('SIGTERM');
  llm.child.kill('SIGTERM');
  await pool.end();
  await infra.down();
}
