/**
 * A hop as the transport answers it. Its response headers stay undici's raw buffers until a
 * script reads them: most never do, and converting every header of every response was a
 * measurable share of the request path. The sync I/O channel carries the raw headers as they are
 * (runtime/sync-reply.ts); `plainResponses` (for its structured-clone fallback, which would drop a
 * getter) hands over plain hops with the headers built.
 */
import { headerMap } from './transport-parts.ts';
import type { WireHop, WireResponse, WireTimings } from './wire.ts';

export class Hop implements WireHop {
  setCookies?: string[];
  private built: Record<string, string> | null = null;

  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    readonly timings: WireTimings,
    readonly sentBytes: number,
    readonly receivedBytes: number,
    readonly error: string,
    readonly errorCode: number,
    readonly startTime: number,
    /**
     * The raw [name, value, ...] headers: undici's buffers, or latin1 strings once they crossed the
     * sync I/O channel (sync-reply.ts); null when the request failed.
     */
    readonly raw: readonly (Buffer | string)[] | null,
    readonly proto: string,
    readonly tlsVersion: string,
    readonly tlsCipherSuite: string,
    readonly ocsp: string,
  ) {}

  /** Canonical names, repeated headers joined with ", " (built on first read). */
  get headers(): Record<string, string> {
    return (this.built ??= this.raw === null ? {} : headerMap(this.raw));
  }
}

/** The hop as a plain object (headers built). */
export function plainHop(h: WireHop): WireHop {
  const out: WireHop = {
    method: h.method,
    url: h.url,
    status: h.status,
    statusText: h.statusText,
    proto: h.proto,
    tlsVersion: h.tlsVersion,
    tlsCipherSuite: h.tlsCipherSuite,
    ocsp: h.ocsp,
    headers: h.headers,
    timings: h.timings,
    sentBytes: h.sentBytes,
    receivedBytes: h.receivedBytes,
    error: h.error,
    errorCode: h.errorCode,
    startTime: h.startTime,
  };
  if (h.setCookies !== undefined) out.setCookies = h.setCookies;
  return out;
}

/** Responses whose hops survive structured clone (postMessage copies own fields, not getters). */
export function plainResponses(res: readonly WireResponse[]): WireResponse[] {
  return res.map((r) => ({ ...r, hops: r.hops.map(plainHop) }));
}
