/**
 * The engine's two designs with no engine code in them: what each can reach at most on this
 * machine, for engine-throughput's `--floor` anchors.
 *
 * - async floor: one worker thread runs `vus` loops of GET requests on undici's `dispatch` with a
 *   minimal handler, the API the engine's transport is built on (no k6 API, no metrics).
 * - sync floor: `vus` threads each block in Atomics.wait while one I/O thread makes the request
 *   with undici and writes the answer into their shared memory: the engine's sync-mode design
 *   (engine/runtime/io-thread.ts) with nothing else around it.
 *
 * Each runs for `seconds` and resolves to its requests per second. Imported by the bench; this
 * same file is the entry of the threads it starts.
 */
import { createRequire } from 'node:module';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { waitAsync } from '../engine/runtime/sync-channel.ts';

interface FloorRun {
  url: string;
  vus: number;
  seconds: number;
}

type Role =
  | { role: 'async'; run: FloorRun }
  | { role: 'sync-vu'; run: FloorRun; sab: SharedArrayBuffer }
  | { role: 'sync-io'; run: FloorRun; sabs: SharedArrayBuffer[] };

/** Int32 slots of a sync floor channel: request flag, reply flag, reply byte length, status. */
const REQ = 0,
  REP = 1,
  LEN = 2,
  STATUS = 3;
const HEADER = 16;

/** A thread running this file (TypeScript: tsx is registered in it first). */
function start(data: Role): Worker {
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => m.register()).then(() => import(${JSON.stringify(import.meta.url)}))`;
  return new Worker(boot, { eval: true, workerData: data });
}

function once<T>(w: Worker): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
}

export async function asyncFloor(run: FloorRun): Promise<number> {
  const w = start({ role: 'async', run });
  const count = await once<number>(w);
  await w.terminate();
  return count / run.seconds;
}

export async function syncFloor(run: FloorRun): Promise<number> {
  const sabs = Array.from({ length: run.vus }, () => new SharedArrayBuffer(HEADER + 64 * 1024));
  const io = start({ role: 'sync-io', run, sabs });
  await once<'ready'>(io);
  const vus = sabs.map((sab) => start({ role: 'sync-vu', run, sab }));
  const counts = await Promise.all(vus.map((w) => once<number>(w)));
  await Promise.all([...vus, io].map((w) => w.terminate()));
  return counts.reduce((a, b) => a + b, 0) / run.seconds;
}

/** The part of undici's legacy dispatch handler interface a GET needs. */
interface Handler {
  onConnect(abort: () => void): void;
  onHeaders(status: number): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(): void;
  onError(err: Error): void;
}

interface Pool {
  dispatch(o: { path: string; method: string }, handler: Handler): boolean;
  close(): Promise<void>;
}

/** One GET on `p`: its status and body. */
function get(p: Pool, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let status = 0;
    const chunks: Buffer[] = [];
    p.dispatch(
      { path, method: 'GET' },
      {
        onConnect: () => undefined,
        onHeaders: (s) => ((status = s), true),
        onData: (c) => (chunks.push(c), true),
        onComplete: () => resolve({ status, body: Buffer.concat(chunks).toString() }),
        onError: reject,
      },
    );
  });
}

function pool(url: string, connections: number): Pool {
  const { Pool } = createRequire(import.meta.url)('undici') as { Pool: new (origin: string, o: object) => Pool };
  return new Pool(new URL(url).origin, { connections, pipelining: 1 });
}

async function runAsync({ url, vus, seconds }: FloorRun): Promise<number> {
  const p = pool(url, vus);
  const path = new URL(url).pathname;
  const end = performance.now() + seconds * 1000;
  let count = 0;
  const loop = async () => {
    while (performance.now() < end) {
      const r = await get(p, path);
      if (r.status !== 200) throw new Error(`async floor: status ${r.status}`);
      count++;
    }
  };
  await Promise.all(Array.from({ length: vus }, loop));
  await p.close();
  return count;
}

function runSyncVu(run: FloorRun, sab: SharedArrayBuffer): number {
  const s = new Int32Array(sab, 0, HEADER / 4);
  const bytes = Buffer.from(sab, HEADER);
  const end = performance.now() + run.seconds * 1000;
  let count = 0;
  while (performance.now() < end) {
    Atomics.store(s, REP, 0);
    Atomics.store(s, REQ, 1);
    Atomics.notify(s, REQ);
    while (Atomics.load(s, REP) === 0) Atomics.wait(s, REP, 0, 1000);
    if (s[STATUS] !== 200) throw new Error(`sync floor: status ${s[STATUS]}: ${bytes.toString('utf8', 0, s[LEN])}`);
    count++;
  }
  return count;
}

function serveSyncIo(run: FloorRun, sabs: SharedArrayBuffer[]): void {
  const p = pool(run.url, sabs.length);
  const path = new URL(run.url).pathname;
  setInterval(() => undefined, 1 << 30); // waitAsync alone does not keep a thread alive
  for (const sab of sabs) {
    const s = new Int32Array(sab, 0, HEADER / 4);
    const bytes = Buffer.from(sab, HEADER);
    void (async () => {
      for (;;) {
        const w = waitAsync(s, REQ, 0);
        if (w.async) await w.value;
        if (Atomics.load(s, REQ) !== 1) continue;
        Atomics.store(s, REQ, 0);
        const r = await get(p, path);
        s[LEN] = bytes.write(r.body, 0);
        s[STATUS] = r.status;
        Atomics.store(s, REP, 1);
        Atomics.notify(s, REP);
      }
    })();
  }
}

if (!isMainThread && (workerData as Role | undefined)?.role) {
  const d = workerData as Role;
  if (d.role === 'async') void runAsync(d.run).then((n) => parentPort!.postMessage(n));
  else if (d.role === 'sync-vu') parentPort!.postMessage(runSyncVu(d.run, d.sab));
  else {
    serveSyncIo(d.run, d.sabs);
    parentPort!.postMessage('ready');
  }
}
