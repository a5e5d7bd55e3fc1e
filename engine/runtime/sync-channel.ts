/**
 * The shared memory between a thread that blocks on HTTP (sync-http.ts) and its I/O thread
 * (io-thread.ts). A request (as JSON) and its reply (binary, sync-reply.ts) travel through this
 * buffer when they fit and carry no binary body; otherwise over the MessagePort (structured clone). Each way
 * skips a MessagePort hop: the I/O thread wakes on Atomics.waitAsync instead of a 'message' event,
 * and the blocked thread reads the reply from memory instead of from its port.
 *
 * Int32 slots: [REQ] 1 while an inline request waits for the I/O thread (RESET_FIRST: the client's
 * connections are to be closed before it is served: noVUConnectionReuse); [REP] 1 when an inline
 * reply is ready, 2 when the reply waits on the port; [REQ_LEN] / [REP_LEN] their byte lengths;
 * [REQ_ID] the inline request's id.
 * The JSON bytes follow the header (one area: the request is read before the reply is written).
 */
import type { WireRequest, WireResponse } from '../http/wire.ts';
import { readReplies, writeReplies } from './sync-reply.ts';

/** Atomics.waitAsync (in Node 20, not yet in TypeScript's lib for this target). */
export const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<string> | string };
  }
).waitAsync;

export const REQ = 0;
/** [REQ] of a request to serve after closing the client's connections (the end of a VU's iteration). */
export const RESET_FIRST = 2;
export const REP = 1;
export const REQ_LEN = 2;
export const REP_LEN = 3;
/** The id of an inline request (a reply that does not fit comes back over the port with it). */
export const REQ_ID = 4;
const HEADER_BYTES = 32;
/** [REQ_LEN] of an inline request equal to the previous inline one (the I/O thread reuses its parse). */
export const SAME_AS_LAST = -2;
/** Bytes for one inline request or reply; larger ones go over the port. */
export const INLINE_BYTES = 256 * 1024;

export function newChannelBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + INLINE_BYTES);
}

export class ChannelMemory {
  readonly slots: Int32Array;
  private readonly bytes: Buffer;
  private readonly view: DataView;

  constructor(sab: SharedArrayBuffer) {
    this.slots = new Int32Array(sab, 0, HEADER_BYTES / 4);
    this.bytes = Buffer.from(sab, HEADER_BYTES);
    this.view = new DataView(sab, HEADER_BYTES);
  }

  /** Writes replies into the area (sync-reply.ts); their byte length, or -1 when they do not fit. */
  writeReplies(res: readonly WireResponse[]): number {
    return writeReplies(this.bytes, this.view, res);
  }

  readReplies(n: number): WireResponse[] {
    return readReplies(this.bytes, this.view, n);
  }

  /** Writes `text` (UTF-8) into the area; its byte length, or -1 when it does not fit. */
  write(text: string): number {
    const cap = this.bytes.length;
    if (text.length > cap) return -1;
    const n = this.bytes.write(text, 0, 'utf8');
    // write() stops silently at the end of the area: a text that (nearly) fills it may be cut.
    return text.length * 3 <= cap || n < cap - 4 ? n : -1;
  }

  read(n: number): string {
    return this.bytes.toString('utf8', 0, n);
  }
}

/** Requests that JSON carries intact (no binary body). */
export function inlineRequests(reqs: WireRequest[]): boolean {
  for (const r of reqs) if (r.body !== null && typeof r.body !== 'string') return false;
  return true;
}

export function inlineResponses(res: WireResponse[]): boolean {
  for (const r of res) if (r.body !== null && typeof r.body !== 'string') return false;
  return true;
}
