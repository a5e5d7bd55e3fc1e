/**
 * The client side of the I/O thread: blocking HTTP for a thread (see io-thread.ts).
 * A channel is created lazily: the first blocking call starts an I/O thread for this thread,
 * unless one was handed over at start (sync-mode VU threads share their worker's I/O thread).
 */
import { MessageChannel, receiveMessageOnPort, type Worker } from 'node:worker_threads';
import type { WireRequest, WireResponse } from '../http/wire.ts';
import type { Attach } from './io-thread.ts';
import { startThread } from './threads.ts';

/** Starts an I/O thread; attach clients with `attachTo`. */
export function startIoThread(insecure: boolean): Worker {
  const w = startThread('io', { insecure });
  w.unref();
  return w;
}

/** A new client end attached to `io`; send the returned Attach to the thread that will block on it. */
export function attachTo(io: Worker, slot: number): Attach {
  const { port1, port2 } = new MessageChannel();
  const flag = new SharedArrayBuffer(4);
  io.postMessage({ attach: { port: port2, flag, slot } }, [port2]);
  return { port: port1, flag, slot };
}

export class SyncHttpChannel {
  private nextId = 1;
  private readonly flag: Int32Array;

  constructor(private readonly attach: Attach) {
    this.flag = new Int32Array(attach.flag);
    attach.port.unref();
  }

  /** A channel with its own, new I/O thread. */
  static standalone(insecure: boolean): { channel: SyncHttpChannel; io: Worker } {
    const io = startIoThread(insecure);
    const client = attachTo(io, 0);
    return { channel: new SyncHttpChannel(client), io };
  }

  requestMany(reqs: WireRequest[]): WireResponse[] {
    const id = this.nextId++;
    Atomics.store(this.flag, 0, 0);
    this.attach.port.postMessage({ id, reqs });
    for (;;) {
      Atomics.wait(this.flag, 0, 0, 1000);
      const msg = receiveMessageOnPort(this.attach.port) as { message: { id: number; res: WireResponse[] } } | undefined;
      if (msg && msg.message.id === id) {
        Atomics.store(this.flag, 0, 0);
        return msg.message.res;
      }
    }
  }

  request(req: WireRequest): WireResponse {
    return this.requestMany([req])[0]!;
  }
}
