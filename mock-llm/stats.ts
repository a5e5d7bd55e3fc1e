/**
 * Counters of the running stub, read by GET /__admin/stats and `stats()`.
 * Integer counters only on the request path; the snapshot is built on demand.
 */
import type { ErrorKind } from './config.ts';
import { LatenessHistogram, type LatenessSummary } from './lateness.ts';

export interface Stats {
  /** Requests by route ("POST /v1/messages") and then by status ("200", "429", "hang", "disconnect"). */
  requests: Record<string, Record<string, number>>;
  tokens: { input: number; output: number };
  /** Streams writing right now. */
  activeStreams: number;
  /** Requests generating right now (streaming or not). */
  active: number;
  /** Requests waiting for a slot under latency.maxConcurrency. */
  queueDepth: number;
  /** Hung requests still open. */
  hanging: number;
  /** Errors injected, by kind. */
  injectedErrors: Record<ErrorKind, number>;
  /** Latency the stub added on purpose: TTFT + ITL, summed, and time spent queued. */
  injectedLatencyMs: { total: number; requests: number; queueWaitTotal: number };
  /**
   * Streamed tokens: how late each was written against its due time (see lateness.ts),
   * the first token of each stream (its TTFT) and every later one (its ITL) apart.
   */
  scheduleLatenessMs: { firstToken: LatenessSummary; laterTokens: LatenessSummary };
  startedAt: string;
}

export class StatsCollector {
  private routes = new Map<string, Map<number | string, number>>();
  tokensIn = 0;
  tokensOut = 0;
  activeStreams = 0;
  active = 0;
  hanging = 0;
  latencyTotal = 0;
  latencyRequests = 0;
  queueWaitTotal = 0;
  injected: Record<ErrorKind, number> = StatsCollector.zeroKinds();
  /** Lateness of each stream's first token, and of every later token. */
  readonly latenessFirst = new LatenessHistogram();
  readonly latenessLater = new LatenessHistogram();
  private startedAt = new Date();

  private static zeroKinds(): Record<ErrorKind, number> {
    return { rateLimit: 0, serverError: 0, overloaded: 0, hang: 0, midStreamError: 0, disconnect: 0 };
  }

  count(route: string, status: number | string): void {
    let byStatus = this.routes.get(route);
    if (!byStatus) this.routes.set(route, (byStatus = new Map()));
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  }

  reset(): void {
    this.routes.clear();
    this.tokensIn = this.tokensOut = this.latencyTotal = this.latencyRequests = this.queueWaitTotal = 0;
    this.injected = StatsCollector.zeroKinds();
    this.latenessFirst.reset();
    this.latenessLater.reset();
    this.startedAt = new Date();
  }

  snapshot(queueDepth: number): Stats {
    const requests: Stats['requests'] = {};
    for (const [route, byStatus] of this.routes) requests[route] = Object.fromEntries(byStatus);
    return {
      requests,
      tokens: { input: this.tokensIn, output: this.tokensOut },
      activeStreams: this.activeStreams,
      active: this.active,
      queueDepth,
      hanging: this.hanging,
      injectedErrors: { ...this.injected },
      injectedLatencyMs: {
        total: Math.round(this.latencyTotal * 1000) / 1000,
        requests: this.latencyRequests,
        queueWaitTotal: Math.round(this.queueWaitTotal * 1000) / 1000,
      },
      scheduleLatenessMs: { firstToken: this.latenessFirst.summary(), laterTokens: this.latenessLater.summary() },
      startedAt: this.startedAt.toISOString(),
    };
  }
}
