/**
 * Runs a plan on a response once it holds a slot: waits the time to first token,
 * then writes token by token (streaming) or the whole body (not streaming), with
 * the injected fault if any. Every pending timer is registered in `jobs` so that
 * stop() can cancel it; the slot is given back exactly once.
 *
 * Streams write nothing before token 0: the headers, the opening events and the
 * first token leave in one write, so time to first byte equals time to first token.
 * Timing: token 0 is due at admission + TTFT, token i at due(i-1) + ITL(i), an
 * absolute schedule so timer lateness does not add up; after a stall longer than
 * one ITL the schedule restarts from now instead of bursting.
 */
import type { ServerResponse } from 'node:http';
import type { Admission } from './admission.ts';
import type { Distribution } from './config.ts';
import { isZero, sample } from './latency.ts';
import type { Plan } from './plan.ts';
import type { Provider } from './provider.ts';
import type { StatsCollector } from './stats.ts';

export interface Job {
  cancel(): void;
}

export interface GenerateContext {
  stats: StatsCollector;
  admission: Admission;
  jobs: Set<Job>;
  itl(): Distribution;
  onLog?(route: string, status: number | string, plan: Plan, ms: number): void;
}

/** setTimeout's ceiling: a longer wait would fire after 1 ms, so waits are cut to it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const SSE_HEADERS = ['content-type', 'text/event-stream; charset=utf-8', 'cache-control', 'no-cache'];

class Run implements Job {
  private timer: NodeJS.Timeout | null = null;
  private finished = false;
  private next = 0;
  private due: number;
  private readonly t0: number;
  private readonly itlZero: boolean;

  constructor(
    private readonly ctx: GenerateContext,
    private readonly provider: Provider,
    private readonly plan: Plan,
    private readonly res: ServerResponse,
    private readonly route: string,
    private readonly requestId: string,
    startedAt: number,
  ) {
    this.t0 = startedAt;
    this.due = this.t0 + plan.ttftMs;
    this.itlZero = isZero(ctx.itl());
    ctx.jobs.add(this);
    ctx.stats.active++;
    res.once('close', () => this.finish(false));
  }

  start(): void {
    const { plan } = this;
    if (plan.request.stream) this.openStream();
    else this.waitWhole();
  }

  cancel(): void {
    this.finish(false);
    if (!this.res.writableEnded) this.res.destroy();
  }

  /** Not streaming: one wait of TTFT plus every ITL, then the body. */
  private waitWhole(): void {
    let wait = this.plan.ttftMs;
    const late = performance.now() - this.t0;
    if (!this.itlZero) {
      const itl = this.ctx.itl();
      for (let i = 1; i < this.plan.tokens.length; i++) wait += sample(itl, this.plan.latencyRng);
    }
    this.ctx.stats.latencyTotal += wait;
    this.ctx.stats.latencyRequests++;
    if (wait - late <= 0) return this.sendWhole();
    this.timer = setTimeout(onWholeTimer, Math.min(wait - late, MAX_TIMER_MS), this);
  }

  sendWhole(): void {
    this.timer = null;
    if (this.finished) return;
    if (this.plan.fault === 'disconnect') return this.disconnect();
    writeWhole(this.ctx, this.provider, this.plan, this.res, this.route, this.requestId);
    this.finish(true, false);
  }

  /** Stream admitted: nothing is written until the first token is due (so TTFB = TTFT). */
  private openStream(): void {
    this.ctx.stats.activeStreams++;
    this.ctx.stats.latencyTotal += this.plan.ttftMs;
    this.ctx.stats.latencyRequests++;
    this.schedule();
  }

  /** The response head and the opening events, once, in the same write as the first token. */
  private opening(): string {
    if (this.res.headersSent) return '';
    this.res.writeHead(200, [...SSE_HEADERS, this.provider.requestIdHeader, this.requestId]);
    this.ctx.stats.count(this.route, 200);
    return this.provider.streamOpen(this.plan);
  }

  /** Writes every token already due, then sets a timer for the next one. */
  tick(): void {
    this.timer = null;
    if (this.finished) return;
    const { plan, res } = this;
    const n = plan.tokens.length;
    const itl = this.ctx.itl();
    let out = '';
    const now = performance.now();
    while (this.next < n && this.due <= now + 0.5) {
      if ((plan.fault === 'midStreamError' || plan.fault === 'disconnect') && this.next === plan.faultAt) {
        if (out) res.write(out);
        return this.strike();
      }
      if (this.next === 0) out = this.opening();
      out += this.provider.streamToken(plan, this.next++);
      const gap = this.itlZero ? 0 : sample(itl, plan.latencyRng);
      this.ctx.stats.latencyTotal += gap;
      this.due += gap;
      if (this.due < now - gap) this.due = now + gap; // stalled: restart the schedule from now
    }
    if (this.next >= n) {
      res.end(out + this.provider.streamClose(plan));
      return this.finish(true);
    }
    if (out) res.write(out);
    this.schedule();
  }

  private schedule(): void {
    const wait = this.due - performance.now();
    if (wait <= 0.5) this.tick();
    else this.timer = setTimeout(onTickTimer, Math.min(wait, MAX_TIMER_MS), this);
  }

  private strike(): void {
    if (this.plan.fault === 'disconnect') return this.disconnect();
    this.ctx.stats.injected.midStreamError++;
    this.res.end(this.opening() + this.provider.streamError(this.plan));
    this.finish(true);
  }

  private disconnect(): void {
    this.ctx.stats.injected.disconnect++;
    if (!this.res.headersSent) this.ctx.stats.count(this.route, 'disconnect');
    this.finish(true);
    this.res.socket?.destroy();
    this.res.destroy();
  }

  private finish(completed: boolean, countTokens = completed): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const { stats } = this.ctx;
    stats.active--;
    if (this.plan.request.stream) stats.activeStreams--;
    if (countTokens) {
      stats.tokensIn += this.plan.inputTokens;
      stats.tokensOut += this.plan.request.stream ? this.next : this.plan.tokens.length;
    }
    this.ctx.jobs.delete(this);
    this.ctx.admission.release();
    this.ctx.onLog?.(this.route, completed ? 200 : 'aborted', this.plan, performance.now() - this.t0);
  }
}

function onWholeTimer(run: Run): void {
  run.sendWhole();
}

function onTickTimer(run: Run): void {
  run.tick();
}

/** Writes a whole non-streaming reply and counts it (status, tokens). */
export function writeWhole(ctx: GenerateContext, provider: Provider, plan: Plan, res: ServerResponse, route: string, requestId: string): void {
  const body = provider.complete(plan);
  res.writeHead(200, ['content-type', 'application/json', 'content-length', String(body.length), provider.requestIdHeader, requestId]);
  res.end(body);
  ctx.stats.count(route, 200);
  ctx.stats.tokensIn += plan.inputTokens;
  ctx.stats.tokensOut += plan.tokens.length;
}

/**
 * Starts generating `plan` on `res` (the caller holds a slot, given back when this
 * ends). `startedAt` (performance.now() clock) is when TTFT starts: the request's
 * arrival, or the moment it left the queue.
 */
export function generate(
  ctx: GenerateContext,
  provider: Provider,
  plan: Plan,
  res: ServerResponse,
  route: string,
  requestId: string,
  startedAt: number,
): void {
  new Run(ctx, provider, plan, res, route, requestId, startedAt).start();
}
