/**
 * The client side of the I/O thread: blocking HTTP for a thread (see io-thread.ts).
 * A channel is created lazily: the first blocking call starts an I/O thread for this thread,
 * unless one was handed over at start (sync-mode VU threads share their worker's I/O thread).
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import type { WireRequest, WireResponse } from '../http/wire.ts';
import type { TransportOptions } from '../http/transport.ts';
import type { Attach } from './io-thread.ts';
import type { SocketOpen } from './ws-io.ts';
import type { Params } from '../modules/ws-dial.ts';
import {
  ChannelMemory,
  inlineRequests,
  newChannelBuffer,
  REP,
  REP_LEN,
  REQ,
  REQ_ID,
  REQ_LEN,
  RESET_FIRST,
  SAME_AS_LAST,
} from './sync-channel.ts';
import { startThread } from './threads.ts';

/** Starts an I/O thread; attach clients with `attachTo`. */
export function startIoThread(transport: TransportOptions): Worker {
  const w = startThread('io', { transport });
  w.unref();
  return w;
}

/** A new client end attached to `io`; send the returned Attach to the thread that will block on it. */
export function attachTo(io: Worker, slot: number): Attach {
  const { port1, port2 } = new MessageChannel();
  const flag = newChannelBuffer();
  io.postMessage({ attach: { port: port2, flag, slot } }, [port2]);
  return { port: port1, flag, slot };
}

/** A VU's end of a socket on the I/O thread. */
export interface SocketLink {
  port: MessagePort;
  counter: Int32Array;
}

export class SyncHttpChannel {
  private nextId = 1;
  private readonly mem: ChannelMemory;
  private readonly slots: Int32Array;
  /** The last inline request's JSON: the same again (a script's usual loop) is sent as length SAME_AS_LAST. */
  private lastJson = '';
  /**
   * That request itself when it was a single one: k6/http hands out the same (never mutated) request
   * object for a repeated plain request, which is then SAME_AS_LAST without being serialized.
   */
  private lastReq: WireRequest | null = null;
  /** Requests were sent since the last `endIteration` (whose round trip is skipped otherwise). */
  private used = false;

  constructor(private readonly attach: Attach) {
    this.mem = new ChannelMemory(attach.flag);
    this.slots = this.mem.slots;
    attach.port.unref();
  }

  /** A channel with its own, new I/O thread; `ready` settles once that thread readied its HTTP client (http/warm.ts). */
  static standalone(transport: TransportOptions): { channel: SyncHttpChannel; io: Worker; ready: Promise<void> } {
    const io = startIoThread(transport);
    const ready = new Promise<void>((resolve) => {
      const onMessage = (msg: { ready?: boolean }) => {
        if (!msg?.ready) return;
        io.off('message', onMessage);
        resolve();
      };
      io.on('message', onMessage);
      io.once('exit', () => resolve());
    });
    const client = attachTo(io, 0);
    return { channel: new SyncHttpChannel(client), io, ready };
  }

  /**
   * `noVUConnectionReuse`: the VU's iteration ended; blocks until the I/O thread closed the
   * connections of this client (REQ set to RESET_FIRST, or `reset` on the port, so that it happens
   * before any later request of this client).
   */
  endIteration(): void {
    if (!this.used) return;
    this.requestMany([], true);
    this.used = false;
  }

  requestMany(reqs: WireRequest[], reset = false): WireResponse[] {
    this.used = true;
    const id = this.nextId++;
    const slots = this.slots;
    Atomics.store(slots, REP, 0);
    let n: number;
    if (reqs.length === 1 && reqs[0] === this.lastReq) n = SAME_AS_LAST;
    else {
      n = inlineRequests(reqs) ? this.writeRequest(JSON.stringify(reqs)) : -1;
      this.lastReq = n !== -1 && reqs.length === 1 ? reqs[0]! : null;
    }
    if (n >= 0 || n === SAME_AS_LAST) {
      Atomics.store(slots, REQ_LEN, n);
      Atomics.store(slots, REQ_ID, id);
      Atomics.store(slots, REQ, reset ? RESET_FIRST : 1);
      Atomics.notify(slots, REQ);
    } else {
      this.attach.port.postMessage(reset ? { id, reqs, reset } : { id, reqs });
    }
    for (;;) {
      Atomics.wait(slots, REP, 0, 1000);
      const state = Atomics.load(slots, REP);
      if (state === 1) {
        const res = this.mem.readReplies(Atomics.load(slots, REP_LEN));
        Atomics.store(slots, REP, 0);
        return res;
      }
      if (state !== 2) continue;
      const msg = receiveMessageOnPort(this.attach.port) as
        { message: { id: number; res: WireResponse[] } } | undefined;
      if (msg && msg.message.id === id) {
        Atomics.store(slots, REP, 0);
        return msg.message.res;
      }
    }
  }

  private writeRequest(json: string): number {
    if (json === this.lastJson) return SAME_AS_LAST;
    const n = this.mem.write(json);
    this.lastJson = n >= 0 ? json : '';
    return n;
  }

  /**
   * A k6/ws socket on the I/O thread (ws-io.ts): the port its events arrive on (read them with
   * receiveMessageOnPort) and the counter bumped after each.
   */
  openSocket(url: string, params: Params): SocketLink {
    const { port1, port2 } = new MessageChannel();
    const counter = new SharedArrayBuffer(4);
    const open: SocketOpen = { ws: { url, params }, port: port2, counter };
    this.attach.port.postMessage(open, [port2]);
    port1.unref();
    return { port: port1, counter: new Int32Array(counter) };
  }

  request(req: WireRequest): WireResponse {
    return this.requestMany([req])[0]!;
  }
}
