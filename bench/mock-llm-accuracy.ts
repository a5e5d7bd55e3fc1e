/**
 * Timing accuracy of the mock LLM stub under load: TTFT 200 ms and ITL 20 ms
 * configured (fixed), 50-token Anthropic streams, 200 concurrent streams, five
 * measured rounds after a warm-up round (connections open, code warm), the lanes
 * started staggered over one stream's length (concurrent, not lockstep).
 *
 * Client: CLIENT_THREADS worker threads (default 2), each driving its share of the
 * streams over raw keep-alive sockets (node:net, one reused read buffer, no HTTP
 * stack in JS): the timestamp is taken first thing in the read callback, and an
 * event counts as a delta by a byte search for `event: content_block_delta`. Two
 * deltas arriving in one read give an ITL of ~0, as they should. TTFT is request
 * written → first delta, ITL the gap between consecutive deltas.
 *
 * Prints client-observed p50/p99 and their error against the configured values
 * (goal: p99 error < 5 ms), and each server's own view: how late it wrote each token
 * against its due time (the stub: /__admin/stats scheduleLatenessMs; the anchor: its
 * timers' lateness). The anchor is a bare node:http server in its own process
 * writing the same events on plain chained setTimeout calls, measured by the same
 * client. Env: CONCURRENCY (default 200), CLIENT_THREADS (default 2), ROUNDS (default 5),
 * STUB_NODE_ARGS (extra node flags for the stub's process, to try V8 options), STUB_TIMERS (the
 * stub's --timers: auto, its default, precise or node).
 *
 * Run: node --import tsx bench/mock-llm-accuracy.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { connect, type Socket } from 'node:net';
import { Worker, isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { ServerProcesses } from './server-processes.ts';

const TTFT = 200;
const ITL = 20;
const TOKENS = 50;
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 200);
const CLIENT_THREADS = Math.max(1, Number(process.env.CLIENT_THREADS ?? 2));
/** Measured rounds: 5 x 200 streams per pass gives p99 from 1,000 TTFT samples a pass, not a handful of outliers. */
const ROUNDS = Number(process.env.ROUNDS ?? 5);
/** Extra node flags for the stub's process (to try V8 options): STUB_NODE_ARGS="--flag --flag". */
const STUB_NODE_ARGS = (process.env.STUB_NODE_ARGS ?? '').split(' ').filter(Boolean);
const STUB_TIMERS = process.env.STUB_TIMERS ?? 'auto';
/** The anchor and the stub are measured in turn (order swapped each pass), PASSES times each, so both see the same load. */
const PASSES = 2;
/** Untimed rounds first: connections opened and code warmed before measuring. */
const WARMUP_ROUNDS = 1;

const ANCHOR_SERVER = `
import http from 'node:http';
const [ttft, itl, n] = [${TTFT}, ${ITL}, ${TOKENS}];
const delta = (t) => 'event: content_block_delta\\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"' + t + '"}}\\n\\n';
const lates = { firstToken: [], laterTokens: [] };
const q = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s.length ? +s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(3) : null; };
const sum = (xs) => ({ tokens: xs.length, p50: q(xs, 0.5), p99: q(xs, 0.99), max: q(xs, 1) });
const s = http.createServer({ noDelay: true }, (req, res) => {
  req.resume();
  if (req.url === '/__reset') { lates.firstToken = []; lates.laterTokens = []; return res.end('{}'); }
  if (req.url === '/__stats') return res.end(JSON.stringify({ firstToken: sum(lates.firstToken), laterTokens: sum(lates.laterTokens) }));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('event: message_start\\ndata: {}\\n\\n');
    let i = 0;
    let at = 0;
    const next = () => {
      if (i < n) (i === 0 ? lates.firstToken : lates.laterTokens).push(performance.now() - at);
      if (i === n) return res.end('event: message_stop\\ndata: {}\\n\\n');
      res.write(delta(' word' + i++));
      at = performance.now() + itl;
      setTimeout(next, itl);
    };
    at = performance.now() + ttft;
    setTimeout(next, ttft);
  });
});
s.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: 'http://127.0.0.1:' + s.address().port })));
process.on('SIGTERM', () => { s.closeAllConnections(); s.close(() => process.exit(0)); });
`;

/** A worker running this file's client half (tsx registered first: workers ignore --import). */
function startWorker(job: ClientJob): Worker {
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); });`;
  return new Worker(boot, { eval: true, workerData: job });
}

function once(worker: Worker): Promise<unknown> {
  return new Promise((res, rej) => {
    const onMsg = (m: unknown): void => {
      worker.off('error', rej);
      res(m);
    };
    worker.once('message', onMsg);
    worker.once('error', rej);
  });
}

/** CPU time (user + system) a process used so far, ms; null where /proc is missing. */
function cpuMs(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in ticks of 1/100 s
  } catch {
    return null;
  }
}

interface Measured {
  /** Server CPU ms spent during the measured rounds. */
  cpu: number | null;
  ttft: Float64Array;
  itl: Float64Array;
  deltas: number;
  server: Record<string, unknown>;
}

/** Warm-up on every worker, then reset the server's counters, then the measured rounds. */
async function measure(
  pid: number | undefined,
  base: string,
  path: string,
  body: string,
  admin: { reset: string; stats: string; pick(j: unknown): Record<string, unknown> },
): Promise<Measured> {
  const url = new URL(path, base);
  const workers = Array.from({ length: CLIENT_THREADS }, (_, w) => {
    const lanes = [];
    for (let l = w; l < CONCURRENCY; l += CLIENT_THREADS) lanes.push(l);
    return startWorker({
      host: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      body,
      lanes,
      concurrency: CONCURRENCY,
      rounds: ROUNDS,
      warmupRounds: WARMUP_ROUNDS,
      streamMs: TTFT + (TOKENS - 1) * ITL,
      expectDeltas: TOKENS,
    });
  });
  try {
    await Promise.all(workers.map(once)); // each says 'warm'
    await fetch(new URL(admin.reset, base), { method: admin.reset.startsWith('/__admin') ? 'POST' : 'GET' });
    const results = workers.map((w) => once(w) as Promise<ClientResult>);
    const cpu0 = cpuMs(pid);
    for (const w of workers) w.postMessage('go');
    const all = await Promise.all(results);
    const cpu1 = cpuMs(pid);
    const server = admin.pick(await (await fetch(new URL(admin.stats, base))).json());
    const cpu = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
    return {
      cpu,
      ttft: concat(all, 'ttft'),
      itl: concat(all, 'itl'),
      deltas: all.reduce((a, r) => a + r.deltas, 0),
      server,
    };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

const q = (xs: Float64Array, p: number): number => {
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
const fmt = (x: number): string => (x >= 0 ? '+' : '') + x.toFixed(2);

const concat = (parts: Array<{ ttft: Float64Array; itl: Float64Array }>, k: 'ttft' | 'itl'): Float64Array =>
  Float64Array.from(parts.flatMap((p) => Array.from(p[k])));

function report(name: string, parts: Measured[]): { p99Error: number } {
  const s = {
    ttft: concat(parts, 'ttft'),
    itl: concat(parts, 'itl'),
    deltas: parts.reduce((a, p) => a + p.deltas, 0),
    server: parts.map((p) => p.server),
  };
  const t50 = q(s.ttft, 0.5);
  const t99 = q(s.ttft, 0.99);
  const i50 = q(s.itl, 0.5);
  const i99 = q(s.itl, 0.99);
  const i01 = q(s.itl, 0.01);
  console.log(`  ${name}`);
  console.log(
    `    client-observed  TTFT p50 ${t50.toFixed(2)} ms (${fmt(t50 - TTFT)})  p99 ${t99.toFixed(2)} ms (${fmt(t99 - TTFT)})   [${s.ttft.length} streams]`,
  );
  console.log(
    `                     ITL  p50 ${i50.toFixed(2)} ms (${fmt(i50 - ITL)})  p99 ${i99.toFixed(2)} ms (${fmt(i99 - ITL)})  p1 ${i01.toFixed(2)} ms (${fmt(i01 - ITL)})   [${s.deltas} deltas]`,
  );
  s.server.forEach((srv, i) => {
    const line = (k: string): string => {
      const v = srv[k] as { p50: number; p99: number; max: number };
      return `p50 ${fmt(v.p50)} p99 ${fmt(v.p99)} max ${fmt(v.max)}`;
    };
    const cpu = parts[i]!.cpu;
    const perToken = cpu === null ? 'n/a' : `${((cpu * 1000) / parts[i]!.deltas).toFixed(1)} µs CPU/token`;
    console.log(
      `    server-side lateness vs due, pass ${i + 1} (ms): first token ${line('firstToken')} | later tokens ${line('laterTokens')} | ${perToken}`,
    );
  });
  return { p99Error: Math.max(Math.abs(t99 - TTFT), Math.abs(i99 - ITL)) };
}

async function main(): Promise<void> {
  const root = resolve(import.meta.dirname, '..');
  const servers = new ServerProcesses(root, 'mock-llm-accuracy-');
  try {
    const cfg = join(servers.tmp, 'config.json');
    writeFileSync(cfg, JSON.stringify({ latency: { ttftMs: TTFT, itlMs: ITL }, output: { tokens: TOKENS } }));
    const stubUrl = await servers.start([
      ...STUB_NODE_ARGS,
      '--import',
      'tsx',
      'cli/main.ts',
      'mock-llm',
      '--performance-mode',
      '--timers',
      STUB_TIMERS,
      '--config',
      cfg,
      '--json',
    ]);
    const anchorUrl = await servers.start(['--input-type=module', '-e', ANCHOR_SERVER]);
    const body = JSON.stringify({
      model: 'claude-mock',
      max_tokens: 1000,
      stream: true,
      messages: [{ role: 'user', content: 'accuracy' }],
    });
    console.log(
      `machine: ${cpus().length} cores, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (shared: other processes compete for the cores)`,
    );
    console.log(
      `mock-llm timing accuracy (node ${process.version}): TTFT ${TTFT} ms, ITL ${ITL} ms, ${TOKENS} tokens, ${CONCURRENCY} concurrent streams x ${ROUNDS} rounds after ${WARMUP_ROUNDS} warm-up round, ${PASSES} passes each (anchor and stub in turn, order swapped every pass), client: ${CLIENT_THREADS} worker threads on raw sockets`,
    );
    const anchorRuns: Measured[] = [];
    const stubRuns: Measured[] = [];
    const pick = (j: unknown): Record<string, unknown> =>
      (j as { scheduleLatenessMs: Record<string, unknown> }).scheduleLatenessMs;
    const runAnchor = async (): Promise<void> =>
      void anchorRuns.push(
        await measure(servers.children[1]!.pid, anchorUrl, '/', body, {
          reset: '/__reset',
          stats: '/__stats',
          pick: (j) => j as Record<string, unknown>,
        }),
      );
    const runStub = async (): Promise<void> =>
      void stubRuns.push(
        await measure(servers.children[0]!.pid, stubUrl, '/v1/messages', body, {
          reset: '/__admin/reset',
          stats: '/__admin/stats',
          pick,
        }),
      );
    for (let p = 0; p < PASSES; p++) {
      // Anchor first in even passes, the stub first in odd ones: neither always follows the other.
      for (const run of p % 2 === 0 ? [runAnchor, runStub] : [runStub, runAnchor]) await run();
    }
    const anchor = report('anchor: bare node:http + chained setTimeout', anchorRuns);
    const stub = report(`mock-llm (--timers ${STUB_TIMERS})`, stubRuns);
    console.log(
      `  worst p99 error: mock-llm ${stub.p99Error.toFixed(2)} ms, anchor ${anchor.p99Error.toFixed(2)} ms, ratio ${(stub.p99Error / anchor.p99Error).toFixed(2)}  (goal: mock-llm < 5 ms)`,
    );
  } finally {
    servers.stopAll();
  }
}

// ---- client half (runs in the worker threads) ----

interface ClientJob {
  host: string;
  port: number;
  path: string;
  body: string;
  /** Global lane numbers this worker drives (lane l starts l/concurrency of a stream late). */
  lanes: number[];
  concurrency: number;
  rounds: number;
  warmupRounds: number;
  streamMs: number;
  expectDeltas: number;
}

interface ClientResult {
  ttft: Float64Array;
  itl: Float64Array;
  deltas: number;
}

const MARK = Buffer.from('event: content_block_delta', 'latin1');
const TERMINATOR = Buffer.from('\r\n0\r\n\r\n', 'latin1');
const HEAD_OK = Buffer.from('HTTP/1.1 200', 'latin1');
/** Room before the read area for the previous read's last bytes (a mark or the terminator cut in two). */
const CARRY = MARK.length - 1;
/** One read buffer for every socket of the thread (read callbacks run one at a time): no allocation per read. */
const READ_BUFFER = Buffer.allocUnsafe(CARRY + 256 * 1024);
const READ_AREA = READ_BUFFER.subarray(CARRY);

/** One keep-alive connection sending one streaming request at a time. */
class Lane {
  private socket: Socket | null = null;
  private sentAt = 0;
  private last = -1;
  private count = 0;
  private head = true;
  /** The previous read's last CARRY bytes (fewer at the start of a response). */
  private readonly tail = Buffer.alloc(CARRY);
  private tailLength = 0;
  private done: ((err?: Error) => void) | null = null;
  private ttft: number[] = [];
  private itl: number[] = [];

  constructor(
    private readonly job: ClientJob,
    private readonly request: Buffer,
  ) {}

  open(): Promise<void> {
    return new Promise((res, rej) => {
      const socket = connect({
        host: this.job.host,
        port: this.job.port,
        noDelay: true,
        onread: { buffer: READ_AREA, callback: (n) => this.onRead(n) },
      });
      this.socket = socket;
      socket.once('connect', () => res());
      socket.once('error', (err) => (this.done ? this.done(err) : rej(err)));
      socket.once('close', () => this.done?.(new Error('connection closed mid-response')));
    });
  }

  /** One request; its samples are kept when `keep`. */
  send(keep: boolean): Promise<void> {
    this.last = -1;
    this.count = 0;
    this.head = true;
    this.tailLength = 0;
    return new Promise((res, rej) => {
      this.done = (err) => {
        this.done = null;
        if (err) return rej(err);
        if (this.count !== this.job.expectDeltas)
          return rej(new Error(`expected ${this.job.expectDeltas} deltas, got ${this.count}`));
        if (!keep) {
          this.ttft.length = 0;
          this.itl.length = 0;
        }
        res();
      };
      this.sentAt = performance.now();
      this.socket!.write(this.request);
    });
  }

  /**
   * Scans one read without allocating: the previous read's tail is copied in front of the
   * read area, so a mark cut between two reads is found once, in the second.
   */
  private onRead(n: number): boolean {
    const now = performance.now();
    const start = CARRY - this.tailLength;
    this.tail.copy(READ_BUFFER, start, 0, this.tailLength);
    const end = CARRY + n;
    if (this.head) {
      if (READ_BUFFER.compare(HEAD_OK, 0, HEAD_OK.length, start, start + HEAD_OK.length) !== 0)
        this.done?.(
          new Error(`unexpected response: ${READ_BUFFER.toString('latin1', start, Math.min(end, start + 80))}`),
        );
      this.head = false;
    }
    const view = READ_BUFFER.subarray(0, end); // bounds the search (the bytes past `end` are stale)
    for (let i = view.indexOf(MARK, start); i >= 0; i = view.indexOf(MARK, i + MARK.length)) {
      if (this.last < 0) this.ttft.push(now - this.sentAt);
      else this.itl.push(now - this.last);
      this.last = now;
      this.count++;
    }
    this.tailLength = Math.min(CARRY, end - start);
    READ_BUFFER.copy(this.tail, 0, end - this.tailLength, end);
    if (
      end - start >= TERMINATOR.length &&
      READ_BUFFER.compare(TERMINATOR, 0, TERMINATOR.length, end - TERMINATOR.length, end) === 0
    )
      this.done?.();
    return true;
  }

  result(): { ttft: number[]; itl: number[] } {
    return { ttft: this.ttft, itl: this.itl };
  }

  close(): void {
    this.socket?.destroy();
  }
}

async function runClient(job: ClientJob, port: MessagePort): Promise<void> {
  const request = Buffer.from(
    `POST ${job.path} HTTP/1.1\r\nhost: ${job.host}:${job.port}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(job.body)}\r\n\r\n${job.body}`,
  );
  const lanes = job.lanes.map(() => new Lane(job, request));
  await Promise.all(lanes.map((l) => l.open()));
  for (let r = 0; r < job.warmupRounds; r++) await Promise.all(lanes.map((l) => l.send(false)));
  const go = new Promise<void>((res) => port.once('message', () => res()));
  port.postMessage('warm');
  await go;
  await Promise.all(
    lanes.map(async (lane, k) => {
      await new Promise((r) => setTimeout(r, (job.lanes[k]! * job.streamMs) / job.concurrency));
      for (let r = 0; r < job.rounds; r++) await lane.send(true);
    }),
  );
  const parts = lanes.map((l) => l.result());
  for (const l of lanes) l.close();
  const result: ClientResult = {
    ttft: Float64Array.from(parts.flatMap((p) => p.ttft)),
    itl: Float64Array.from(parts.flatMap((p) => p.itl)),
    deltas: parts.reduce((a, p) => a + p.ttft.length + p.itl.length, 0),
  };
  port.postMessage(result, [result.ttft.buffer as ArrayBuffer, result.itl.buffer as ArrayBuffer]);
}

if (isMainThread) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
} else {
  void runClient(workerData as ClientJob, parentPort!); // a rejection ends the worker with an 'error' the parent reports
}
