/**
 * Timing accuracy of the mock LLM stub under load: TTFT 200 ms and ITL 20 ms
 * configured (fixed), 50-token Anthropic streams, 200 concurrent streams, two
 * measured rounds after a warm-up round (connections open, code warm). The client (here) timestamps every content_block_delta event; TTFT is
 * request sent → first delta, ITL the gap between consecutive deltas.
 * Prints measured p50/p99 and their error against the configured values (goal:
 * p99 error < 5 ms), for the stub and for an anchor: a bare node:http server in
 * its own process writing the same events on plain chained setTimeout calls.
 *
 * Run: node --import tsx bench/mock-llm-accuracy.ts
 */
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { ServerProcesses } from './server-processes.ts';

const TTFT = 200;
const ITL = 20;
const TOKENS = 50;
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 200);
const ROUNDS = 2;
/** Untimed rounds first: connections opened and code warmed before measuring. */
const WARMUP_ROUNDS = 1;

const ROOT = resolve(import.meta.dirname, '..');
const servers = new ServerProcesses(ROOT, 'mock-llm-accuracy-');
const { tmp } = servers;

const ANCHOR_SERVER = `
import http from 'node:http';
const [ttft, itl, n] = [${TTFT}, ${ITL}, ${TOKENS}];
const delta = (t) => 'event: content_block_delta\\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"' + t + '"}}\\n\\n';
const s = http.createServer({ noDelay: true }, (req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('event: message_start\\ndata: {}\\n\\n');
    let i = 0;
    const next = () => {
      if (i === n) return res.end('event: message_stop\\ndata: {}\\n\\n');
      res.write(delta(' word' + i++));
      setTimeout(next, itl);
    };
    setTimeout(next, ttft);
  });
});
s.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: 'http://127.0.0.1:' + s.address().port })));
process.on('SIGTERM', () => { s.closeAllConnections(); s.close(() => process.exit(0)); });
`;



interface Samples {
  ttft: number[];
  itl: number[];
  deltas: number;
}

/** One streaming request; pushes its TTFT and ITLs. */
function stream(url: URL, agent: Agent, body: string, out: Samples): Promise<void> {
  return new Promise((res, rej) => {
    let sent = 0;
    let last = -1;
    let buffer = '';
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent }, (r) => {
      r.setEncoding('utf8');
      r.on('data', (chunk: string) => {
        const now = performance.now();
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!event.startsWith('event: content_block_delta')) continue;
          out.deltas++;
          if (last < 0) out.ttft.push(now - sent);
          else out.itl.push(now - last);
          last = now;
        }
      });
      r.on('end', res);
    });
    req.on('error', rej);
    sent = performance.now();
    req.end(body);
  });
}

async function measure(base: string, path: string, body: string): Promise<Samples> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const url = new URL(path, base);
  const warm: Samples = { ttft: [], itl: [], deltas: 0 };
  const out: Samples = { ttft: [], itl: [], deltas: 0 };
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let r = 0; r < WARMUP_ROUNDS; r++) await stream(url, agent, body, warm);
    }),
  );
  // The lanes start staggered over one stream's length, so the 200 streams overlap as they do
  // under a real load (concurrent, not released in lockstep): a lockstep start measures the burst
  // of 200 simultaneous arrivals on the client and server cores, not the latency model.
  const streamMs = TTFT + (TOKENS - 1) * ITL;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, lane) => {
      await new Promise((r) => setTimeout(r, (lane * streamMs) / CONCURRENCY));
      for (let r = 0; r < ROUNDS; r++) await stream(url, agent, body, out);
    }),
  );
  agent.destroy();
  return out;
}

const q = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
const fmt = (x: number): string => (x >= 0 ? '+' : '') + x.toFixed(2);

function report(name: string, s: Samples): { p99Error: number } {
  const t50 = q(s.ttft, 0.5);
  const t99 = q(s.ttft, 0.99);
  const i50 = q(s.itl, 0.5);
  const i99 = q(s.itl, 0.99);
  console.log(`  ${name.padEnd(16)} TTFT p50 ${t50.toFixed(2)} ms (${fmt(t50 - TTFT)})  p99 ${t99.toFixed(2)} ms (${fmt(t99 - TTFT)})`);
  console.log(`  ${''.padEnd(16)} ITL  p50 ${i50.toFixed(2)} ms (${fmt(i50 - ITL)})  p99 ${i99.toFixed(2)} ms (${fmt(i99 - ITL)})   [${s.ttft.length} streams, ${s.deltas} deltas]`);
  return { p99Error: Math.max(Math.abs(t99 - TTFT), Math.abs(i99 - ITL)) };
}

async function main(): Promise<void> {
  const cfg = join(tmp, 'config.json');
  writeFileSync(cfg, JSON.stringify({ latency: { ttftMs: TTFT, itlMs: ITL }, output: { tokens: TOKENS } }));
  const stubUrl = await servers.start(['--import', 'tsx', 'infra/cli.ts', 'mock-llm', '--performance-mode', '--config', cfg, '--json']);
  const anchorUrl = await servers.start(['--input-type=module', '-e', ANCHOR_SERVER]);
  const body = JSON.stringify({ model: 'claude-mock', max_tokens: 1000, stream: true, messages: [{ role: 'user', content: 'accuracy' }] });
  console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (shared: other processes compete for the cores)`);
  console.log(`mock-llm timing accuracy (node ${process.version}): TTFT ${TTFT} ms, ITL ${ITL} ms, ${TOKENS} tokens, ${CONCURRENCY} concurrent streams x ${ROUNDS} rounds after ${WARMUP_ROUNDS} warm-up round`);
  const anchor = report('bare setTimeout', await measure(anchorUrl, '/', body));
  const stub = report('mock-llm', await measure(stubUrl, '/v1/messages', body));
  console.log(`  worst p99 error: mock-llm ${stub.p99Error.toFixed(2)} ms, anchor ${anchor.p99Error.toFixed(2)} ms, ratio ${(stub.p99Error / anchor.p99Error).toFixed(2)}  (goal: mock-llm < 5 ms)`);
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => servers.stopAll());
