/**
 * The replies of the sync I/O channel in its shared memory (sync-channel.ts): a fixed field order
 * in binary instead of JSON. A blocked VU thread spent about a seventh of its time parsing the
 * reply's JSON (objects, key internalizing), and the I/O thread built every header map only to
 * serialize it. Here numbers are float64s, strings length-prefixed UTF-8, and the headers travel raw
 * (undici's bytes in, latin1 strings out) so that the VU builds the header map only if its script
 * reads `res.headers` (hop.ts).
 *
 * Layout (little-endian): u32 count, then per response: u32 hops, each hop
 *   str method, str url, f64 status, str statusText, u32 headers (n = names + values) and n raw
 *   strings, f64 x 7 timings (k6's order), f64 sentBytes, f64 receivedBytes, str error,
 *   f64 errorCode, f64 startTime, str proto, str tlsVersion, str tlsCipherSuite, str ocsp, u32 setCookies (NONE when absent) and as many strings;
 * then str body (NONE for null), str remoteIp, f64 remotePort.
 * A str is a u32 byte length (NONE for null) and its bytes. Binary bodies never come here
 * (inlineResponses in sync-channel.ts).
 */
import { Hop } from '../http/hop.ts';
import type { WireHop, WireResponse, WireTimings } from '../http/wire.ts';

const NONE = 0xffffffff;

/** Buffer.prototype's decoders without the encoding lookup (not in Node's type declarations). */
interface Slicers {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}

/** Writes `res` into `bytes`; the byte length, or -1 when it does not fit. */
export function writeReplies(bytes: Buffer, view: DataView, res: readonly WireResponse[]): number {
  const w = new Writer(bytes, view);
  w.u32(res.length);
  for (const r of res) {
    w.u32(r.hops.length);
    for (const h of r.hops) writeHop(w, h);
    w.str(r.body as string | null);
    w.str(r.remoteIp);
    w.f64(r.remotePort);
  }
  return w.ok ? w.pos : -1;
}

function writeHop(w: Writer, h: WireHop): void {
  w.str(h.method);
  w.str(h.url);
  w.f64(h.status);
  w.str(h.statusText);
  if (h instanceof Hop) {
    const raw = h.raw ?? [];
    w.u32(raw.length);
    for (const b of raw) w.raw(b);
  } else {
    const entries = Object.entries(h.headers);
    w.u32(entries.length * 2);
    for (const [k, v] of entries) {
      w.str(k);
      w.str(v);
    }
  }
  const t = h.timings;
  w.f64(t.blocked);
  w.f64(t.connecting);
  w.f64(t.tls_handshaking);
  w.f64(t.sending);
  w.f64(t.waiting);
  w.f64(t.receiving);
  w.f64(t.duration);
  w.f64(h.sentBytes);
  w.f64(h.receivedBytes);
  w.str(h.error);
  w.f64(h.errorCode);
  w.f64(h.startTime);
  w.str(h.proto);
  w.str(h.tlsVersion);
  w.str(h.tlsCipherSuite);
  w.str(h.ocsp);
  if (h.setCookies === undefined) w.u32(NONE);
  else {
    w.u32(h.setCookies.length);
    for (const c of h.setCookies) w.str(c);
  }
}

/** Reads what writeReplies wrote (`n` bytes). */
export function readReplies(bytes: Buffer, view: DataView, n: number): WireResponse[] {
  const r = new Reader(bytes, view, n);
  const out: WireResponse[] = new Array(r.u32());
  for (let i = 0; i < out.length; i++) {
    const hops: WireHop[] = new Array(r.u32());
    for (let j = 0; j < hops.length; j++) hops[j] = readHop(r);
    const body = r.str();
    const remoteIp = r.str() ?? '';
    out[i] = { hops, body, remoteIp, remotePort: r.f64() };
  }
  return out;
}

function readHop(r: Reader): Hop {
  const method = r.str()!;
  const url = r.str()!;
  const status = r.f64();
  const statusText = r.str()!;
  const raw: string[] = new Array(r.u32());
  for (let i = 0; i < raw.length; i++) raw[i] = r.latin1();
  const timings: WireTimings = {
    blocked: r.f64(),
    connecting: r.f64(),
    tls_handshaking: r.f64(),
    sending: r.f64(),
    waiting: r.f64(),
    receiving: r.f64(),
    duration: r.f64(),
  };
  const sentBytes = r.f64();
  const receivedBytes = r.f64();
  const error = r.str()!;
  const errorCode = r.f64();
  const startTime = r.f64();
  const proto = r.str()!;
  const tlsVersion = r.str()!;
  const tlsCipherSuite = r.str()!;
  const ocsp = r.str()!;
  const hop = new Hop(
    method,
    url,
    status,
    statusText,
    timings,
    sentBytes,
    receivedBytes,
    error,
    errorCode,
    startTime,
    raw,
    proto,
    tlsVersion,
    tlsCipherSuite,
    ocsp,
  );
  const cookies = r.u32();
  if (cookies !== NONE) {
    const list: string[] = new Array(cookies);
    for (let i = 0; i < cookies; i++) list[i] = r.str()!;
    hop.setCookies = list;
  }
  return hop;
}

class Writer {
  pos = 0;
  ok = true;
  private readonly cap: number;
  constructor(
    private readonly bytes: Buffer,
    private readonly view: DataView,
  ) {
    this.cap = bytes.length;
  }

  u32(x: number): void {
    if (this.pos + 4 > this.cap) return void (this.ok = false);
    this.view.setUint32(this.pos, x, true);
    this.pos += 4;
  }

  f64(x: number): void {
    if (this.pos + 8 > this.cap) return void (this.ok = false);
    this.view.setFloat64(this.pos, x, true);
    this.pos += 8;
  }

  str(s: string | null): void {
    if (s === null) return this.u32(NONE);
    const at = this.pos + 4;
    // write() stops silently at the end of the area: make sure the whole string fits first.
    if (!this.ok || (at + s.length * 3 > this.cap && at + Buffer.byteLength(s, 'utf8') > this.cap))
      return void (this.ok = false);
    const n = s.length === 0 ? 0 : this.bytes.write(s, at, 'utf8');
    this.u32(n);
    this.pos += n;
  }

  /** A raw header: undici's bytes as they are, or a latin1 string as its bytes. */
  raw(b: Buffer | string): void {
    const n = typeof b === 'string' ? b.length : b.length;
    const at = this.pos + 4;
    if (!this.ok || at + n > this.cap) return void (this.ok = false);
    if (typeof b === 'string') this.bytes.write(b, at, 'latin1');
    else b.copy(this.bytes, at);
    this.u32(n);
    this.pos += n;
  }
}

class Reader {
  private pos = 0;
  constructor(
    private readonly bytes: Buffer,
    private readonly view: DataView,
    private readonly end: number,
  ) {}

  u32(): number {
    const x = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return x;
  }

  f64(): number {
    const x = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return x;
  }

  str(): string | null {
    const n = this.u32();
    if (n === NONE) return null;
    return this.take(n, 'utf8');
  }

  latin1(): string {
    return this.take(this.u32(), 'latin1');
  }

  private take(n: number, enc: 'utf8' | 'latin1'): string {
    if (this.pos + n > this.end) throw new Error(`sync reply: a field of ${n} bytes runs past the reply's ${this.end}`);
    const from = this.pos;
    this.pos += n;
    if (n === 0) return '';
    // Buffer's own slicers, as undici uses them: toString() would look the encoding up for each of
    // the dozen strings of a reply, and inlining it made this the costliest function to optimize
    // in every VU thread.
    const b = this.bytes as Buffer & Slicers;
    return enc === 'utf8' ? b.utf8Slice(from, from + n) : b.latin1Slice(from, from + n);
  }
}
