/**
 * The I/O thread of the blocking HTTP calls. A client thread attaches with a MessagePort and a
 * SharedArrayBuffer; it posts `{ id, reqs }`, blocks in Atomics.wait on the buffer, and reads the
 * answer with receiveMessageOnPort once this thread has posted it and flipped the flag.
 * The buffer's Int32 slot 0 is the "answer ready" flag.
 * A message `{ abortSlot: n }` from the owner of this thread aborts the running requests of client n
 * (an interrupted sync-mode VU).
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { HttpTransport } from '../http/transport.ts';
import type { WireRequest } from '../http/wire.ts';
import { adoptPaths, type ThreadPaths } from './threads.ts';
import { Interrupt } from './interrupt.ts';

export interface Attach {
  port: MessagePort;
  flag: SharedArrayBuffer;
  slot: number;
}

export interface IoRequest {
  id: number;
  reqs: WireRequest[];
}

adoptPaths((workerData as { paths?: ThreadPaths } | undefined)?.paths);
const transport = new HttpTransport({ insecureSkipTLSVerify: Boolean((workerData as { insecure?: boolean })?.insecure) });

const running = new Map<number, Interrupt>();

/** Serves one client port. */
export function serve({ port, flag, slot }: Attach): void {
  const ready = new Int32Array(flag);
  port.on('message', (msg: IoRequest) => {
    const ac = new Interrupt();
    running.set(slot, ac);
    const done = msg.reqs.length === 1 ? transport.request(msg.reqs[0]!, ac).then((r) => [r]) : Promise.all(msg.reqs.map((r) => transport.request(r, ac)));
    void done.then((res) => {
      if (running.get(slot) === ac) running.delete(slot);
      port.postMessage({ id: msg.id, res });
      Atomics.store(ready, 0, 1);
      Atomics.notify(ready, 0);
    });
  });
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
