/**
 * The I/O thread of the blocking HTTP calls. A client thread attaches with a MessagePort and a
 * SharedArrayBuffer (layout in sync-channel.ts); it writes its requests into the buffer (or posts
 * `{ id, reqs }` when they do not fit), blocks in Atomics.wait, and reads the answer from the buffer
 * (or with receiveMessageOnPort) once this thread has written it and flipped the reply flag.
 * The same port takes a sync-mode VU's k6/ws sockets (ws-io.ts).
 * A message `{ abortSlot: n }` from the owner of this thread aborts the running requests of client n
 * (an interrupted sync-mode VU).
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { HttpTransport, type TransportOptions } from '../http/transport.ts';
import { plainResponses } from '../http/hop.ts';
import { warmHttp } from '../http/warm.ts';
import { DEFAULT_BATCH_LIMITS, hostOf, runLimited } from '../http/batch-limit.ts';
import type { WireRequest } from '../http/wire.ts';
import { adoptPaths, type ThreadPaths } from './threads.ts';
import { Interrupt } from './interrupt.ts';
import {
  ChannelMemory,
  inlineResponses,
  REP,
  REP_LEN,
  REQ,
  REQ_ID,
  REQ_LEN,
  RESET_FIRST,
  SAME_AS_LAST,
  waitAsync,
} from './sync-channel.ts';
import type { WireResponse } from '../http/wire.ts';
import { serveSocket, type SocketOpen } from './ws-io.ts';

export interface Attach {
  port: MessagePort;
  /** The channel's shared memory (sync-channel.ts). */
  flag: SharedArrayBuffer;
  slot: number;
}

export interface IoRequest {
  id: number;
  reqs: WireRequest[];
  /** Close the client's connections first (noVUConnectionReuse: its VU's iteration ended). */
  reset?: boolean;
}

adoptPaths((workerData as { paths?: ThreadPaths } | undefined)?.paths);
const options = (workerData as { transport?: TransportOptions } | undefined)?.transport ?? {
  insecureSkipTLSVerify: false,
};
const transport = new HttpTransport(options);
const limits = options.batchLimits ?? DEFAULT_BATCH_LIMITS;
/** The HTTP client readied before the first request is served (warm.ts). */
const warmed = warmHttp(options).then(() => parentPort?.postMessage({ ready: true }));

/** Each client's running requests (null between them: a slot stays a key, the Map does not churn; see Deadlines in http/transport-parts.ts). */
const running = new Map<number, Interrupt | null>();

/** Serves one client: requests from its shared memory and from its port. */
export function serve({ port, flag, slot }: Attach): void {
  const mem = new ChannelMemory(flag);
  const slots = mem.slots;
  const run = (reqs: WireRequest[], reply: (res: WireResponse[]) => void) => {
    const ac = new Interrupt();
    running.set(slot, ac);
    // Several requests are one round of a blocking http.batch: k6's batch / batchPerHost apply.
    const done =
      reqs.length === 1
        ? transport.request(reqs[0]!, ac, slot).then((r) => [r])
        : runLimited(
            reqs.length,
            limits,
            (i) => hostOf(reqs[i]!.url),
            (i) => transport.request(reqs[i]!, ac, slot),
          );
    void done.then((res) => {
      if (running.get(slot) === ac) running.set(slot, null);
      reply(res);
    });
  };
  const reply = (id: number, res: WireResponse[]) => {
    const n = inlineResponses(res) ? mem.writeReplies(res) : -1;
    if (n >= 0) {
      Atomics.store(slots, REP_LEN, n);
      Atomics.store(slots, REP, 1);
    } else {
      port.postMessage({ id, res: plainResponses(res) }); // structured clone would drop the hops' headers getter
      Atomics.store(slots, REP, 2);
    }
    Atomics.notify(slots, REP);
  };
  port.on('message', (msg: IoRequest | SocketOpen) => {
    if ('ws' in msg) return serveSocket(msg);
    if (msg.reset) transport.endIteration(slot);
    run(msg.reqs, (res) => reply(msg.id, res));
  });
  let last: WireRequest[] = [];
  void (async () => {
    await warmed;
    for (;;) {
      const w = waitAsync(slots, REQ, 0);
      if (w.async) await w.value;
      const kind = Atomics.load(slots, REQ);
      if (kind !== 1 && kind !== RESET_FIRST) continue;
      if (kind === RESET_FIRST) transport.endIteration(slot);
      const len = Atomics.load(slots, REQ_LEN);
      const reqs = len === SAME_AS_LAST ? last : (last = JSON.parse(mem.read(len)) as WireRequest[]);
      const id = Atomics.load(slots, REQ_ID);
      Atomics.store(slots, REQ, 0);
      run(reqs, (res) => reply(id, res));
    }
  })();
}

if (parentPort) {
  const initial = (workerData as { attach?: Attach } | undefined)?.attach;
  if (initial) serve(initial);
  parentPort.on('message', (msg: { attach?: Attach; close?: boolean; abortSlot?: number }) => {
    if (msg.attach) serve(msg.attach);
    if (msg.abortSlot !== undefined) running.get(msg.abortSlot)?.abort();
    if (msg.close) void transport.close().then(() => process.exit(0));
  });
}
