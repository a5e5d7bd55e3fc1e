/**
 * data_sent / data_received of requests over an HTTP/2 session, from its socket's counters.
 *
 * A TLS socket's bytesRead / bytesWritten count what passed in clear: the session's frames (the
 * preface, SETTINGS, HEADERS with HPACK-compressed headers, DATA, WINDOW_UPDATE, PING, ...). The
 * session does not say which stream a frame belonged to, so the meter attributes the counters'
 * growth by time: at each request's start and end it takes the bytes since the last such moment
 * and splits them evenly among the requests that were in flight meanwhile (a request alone on
 * the session gets exactly what crossed the wire during it; concurrent ones share the total).
 * Bytes that crossed while no request was in flight (the connection preface and SETTINGS of a new
 * session, PINGs, GOAWAY) go to the next request. Every byte of the session is counted once.
 */

/** What a request measured by a FrameMeter keeps. */
export interface Metered {
  framesRead: number;
  framesWritten: number;
}

/** The socket counters the meter reads. */
export interface ByteCounters {
  readonly bytesRead: number;
  readonly bytesWritten: number;
}

export class FrameMeter {
  private readonly active: Metered[] = [];
  private read = 0;
  private written = 0;

  constructor(private readonly socket: ByteCounters) {}

  start(m: Metered): void {
    if (this.active.length > 0) this.settle();
    this.active.push(m);
  }

  end(m: Metered): void {
    const i = this.active.indexOf(m);
    if (i < 0) return;
    this.settle();
    this.active.splice(i, 1);
  }

  /** Splits the bytes since the last call among the requests in flight. */
  private settle(): void {
    const r = this.socket.bytesRead - this.read;
    const w = this.socket.bytesWritten - this.written;
    this.read += r;
    this.written += w;
    const n = this.active.length;
    if (n === 0) return;
    const rEach = Math.floor(r / n);
    const wEach = Math.floor(w / n);
    for (const m of this.active) {
      m.framesRead += rEach;
      m.framesWritten += wEach;
    }
    this.active[0]!.framesRead += r - rEach * n;
    this.active[0]!.framesWritten += w - wEach * n;
  }
}
