/**
 * Runs a plan on a response once it holds a slot: waits the time to first token,
 * then writes token by token (streaming) or the whole body (not streaming), with
 * the injected fault if any. Every run is registered in `jobs` so that stop() can
 * cancel it; the slot is given back exactly once. All waits go through the shared
 * Scheduler (one timer for every stream).
 *
 * Each write is sent at once (node:http would hold it corked until the next tick,
 * so a fire serving several streams would delay them all). Streams write nothing
 * before token 0: the headers, the opening events and the
 * first token leave in one write, so time to first byte equals time to first token.
 * Timing: token 0 is due at admission + TTFT, token i one drawn ITL after token i-1's
 * place on the schedule (not after its write): an absolute schedule, so timer
 * lateness does not add up. After a stall the stream catches up by at most
 * CATCH_UP_SHARE of a gap (CATCH_UP_MAX_MS at most) per token, so a stall never turns
 * into a burst of tokens in one write. Every token's lateness against its due time,
 * once its write is handed to the socket, is recorded (stats.latenessFirst / latenessLater).
 */
import type { ServerResponse } from 'node:http';
import type { Admission } from './admission.ts';
import type { Distribution } from './config.ts';
import { sendJson } from './http-util.ts';
import { isZero, sample } from './latency.ts';
import type { Plan } from './plan.ts';
import type { Provider } from './provider.ts';
import type { LlmMetrics } from './prometheus.ts';
import type { Scheduler, Timed } from './scheduler.ts';
import type { StatsCollector } from './stats.ts';

export interface Job {
  cancel(): void;
}

export interface GenerateContext {
  stats: StatsCollector;
  admission: Admission;
  scheduler: Scheduler;
  jobs: Set<Job>;
  itl(): Distribution;
  onLog?(route: string, status: number | string, plan: Plan, ms: number): void;
  /** GET /metrics (vLLM's names), when the server exposes it. */
  metrics?: LlmMetrics;
}

/** After a stall, a gap is cut by at most this share of itself... */
export const CATCH_UP_SHARE = 0.25;
/** ...and by at most this many ms. */
export const CATCH_UP_MAX_MS = 2;

/**
 * When to write the next token: at its place on the absolute schedule (`scheduled`),
 * unless the previous token went out at `now` so late that this would cut the gap
 * between them by more than the catch-up bound.
 */
export function nextDue(scheduled: number, gap: number, now: number): number {
  return Math.max(scheduled, now + gap - Math.min(gap * CATCH_UP_SHARE, CATCH_UP_MAX_MS));
}

const SSE_HEADERS = ['content-type', 'text/event-stream; charset=utf-8', 'cache-control', 'no-cache'];

/**
 * Sends what node:http holds back: a response write corks the socket until the next tick,
 * so in a scheduler fire serving several streams every token would wait for the whole fire.
 */
function flush(res: ServerResponse): void {
  const socket = res.socket;
  if (socket && socket.writableCorked > 0) socket.uncork();
}

class Run implements Job, Timed {
  heapIndex = -1;
  /** When the next write is due: `scheduled`, or later while catching up after a stall. */
  due: number;
  /** The next token's place on the absolute schedule (TTFT + the ITLs drawn so far). */
  private scheduled: number;
  private finished = false;
  private streaming = false;
  private next = 0;
  /** When the last token was written (performance.now()), for vllm:inter_token_latency_seconds. */
  private lastAt = 0;
  private readonly t0: number;
  private readonly itlZero: boolean;
  /** The due times of the tokens of the write being built (one, unless several were due at once). */
  private readonly dues: number[] = [];

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
    this.due = this.scheduled = this.t0 + plan.ttftMs;
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
    if (!this.itlZero) {
      const itl = this.ctx.itl();
      for (let i = 1; i < this.plan.tokens.length; i++) wait += sample(itl, this.plan.latencyRng);
    }
    this.ctx.stats.latencyTotal += wait;
    this.ctx.stats.latencyRequests++;
    this.due = this.t0 + wait;
    this.wait();
  }

  /** Runs now if already due (zero latency: no timer tick lost), else waits on the scheduler. */
  private wait(): void {
    const { scheduler } = this.ctx;
    const now = scheduler.now();
    if (this.due <= now + scheduler.toleranceMs) this.fire(now);
    else scheduler.add(this);
  }

  fire(now: number): void {
    try {
      if (this.streaming) this.tick(now);
      else this.sendWhole();
    } catch (err) {
      this.crash(err);
    }
  }

  /**
   * A bug while generating (never a bad input: those got their 400 before): logged, the
   * slot given back, a 500 when nothing was sent yet, else the connection cut. The
   * stub goes on serving the other requests.
   */
  private crash(err: unknown): void {
    console.error(`mock-llm: ${this.route} failed while generating: ${(err as Error)?.stack ?? String(err)}`);
    this.finish(false);
    if (this.res.headersSent) return void this.res.destroy();
    this.ctx.stats.count(this.route, 500);
    const reply = this.provider.invalid(
      500,
      `mock-llm internal error: ${(err as Error)?.message ?? String(err)}`,
      null,
      this.requestId,
    );
    sendJson(this.res, 500, reply.body, reply.headers);
  }

  private sendWhole(): void {
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
    this.streaming = true;
    this.wait();
  }

  /** The response head and the opening events, once, in the same write as the first token. */
  private opening(): string {
    if (this.res.headersSent) return '';
    this.res.writeHead(200, [...SSE_HEADERS, this.provider.requestIdHeader, this.requestId]);
    this.ctx.stats.count(this.route, 200);
    return this.provider.streamOpen(this.plan);
  }

  /** Writes every token due by now (+ the scheduler's tolerance), then schedules the next one. */
  private tick(now: number): void {
    if (this.finished) return;
    const { plan, res, ctx } = this;
    const n = plan.tokens.length;
    const itl = ctx.itl();
    const limit = now + ctx.scheduler.toleranceMs;
    const first = this.next;
    const dues = this.dues;
    dues.length = 0;
    let out = '';
    while (this.next < n && this.due <= limit) {
      if ((plan.fault === 'midStreamError' || plan.fault === 'disconnect') && this.next === plan.faultAt) {
        if (out) {
          res.write(out);
          this.written(first, dues);
        }
        return this.strike();
      }
      if (this.next === 0) {
        out = this.opening();
        ctx.metrics?.firstToken(plan.request.model, now - this.t0);
      } else {
        ctx.metrics?.laterToken(plan.request.model, now - this.lastAt);
      }
      dues.push(this.due);
      this.lastAt = now;
      out += this.provider.streamToken(plan, this.next++);
      const gap = this.itlZero ? 0 : sample(itl, plan.latencyRng);
      ctx.stats.latencyTotal += gap;
      this.scheduled += gap;
      this.due = nextDue(this.scheduled, gap, now);
    }
    if (this.next >= n) {
      res.end(out + this.provider.streamClose(plan));
      this.written(first, dues);
      flush(res);
      return this.finish(true);
    }
    if (out) {
      res.write(out);
      this.written(first, dues);
      flush(res);
    }
    ctx.scheduler.add(this);
  }

  /**
   * Records how late the tokens of a write are against their due times, stamped once the write
   * is built and buffered, just before the socket sends it: building the response head (first
   * token) and the events is part of what a client sees (at one stream on this project's 2-core
   * VM, 0.29 ms for a first token, 0.12 ms for a later one, after the timer's tick). The send
   * itself is not counted: the bytes leave during it, but it can return much later (the
   * receiver woken on the same core).
   */
  private written(first: number, dues: number[]): void {
    const at = this.ctx.scheduler.now();
    const { latenessFirst, latenessLater } = this.ctx.stats;
    for (let i = 0; i < dues.length; i++) (first + i === 0 ? latenessFirst : latenessLater).record(at - dues[i]!);
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
    this.ctx.scheduler.remove(this);
    const { stats } = this.ctx;
    stats.active--;
    if (this.plan.request.stream) stats.activeStreams--;
    if (countTokens) {
      stats.tokensIn += this.plan.inputTokens;
      stats.tokensOut += this.plan.request.stream ? this.next : this.plan.tokens.length;
    }
    const reason = !completed ? 'abort' : this.plan.stopReason === 'max_tokens' ? 'length' : 'stop';
    const out = this.plan.request.stream ? this.next : completed ? this.plan.tokens.length : 0;
    const ms = performance.now() - this.t0;
    this.ctx.metrics?.finished(this.plan.request.model, reason, ms, this.plan.inputTokens, out);
    this.ctx.jobs.delete(this);
    this.ctx.admission.release();
    this.ctx.onLog?.(this.route, completed ? 200 : 'aborted', this.plan, ms);
  }
}

/** Writes a whole non-streaming reply and counts it (status, tokens). */
export function writeWhole(
  ctx: GenerateContext,
  provider: Provider,
  plan: Plan,
  res: ServerResponse,
  route: string,
  requestId: string,
): void {
  const body = provider.complete(plan);
  res.writeHead(200, [
    'content-type',
    'application/json',
    'content-length',
    String(body.length),
    provider.requestIdHeader,
    requestId,
  ]);
  res.end(body);
  ctx.stats.count(route, 200);
  ctx.stats.tokensIn += plan.inputTokens;
  ctx.stats.tokensOut += plan.tokens.length;
  ctx.metrics?.finished(plan.request.model, plan.stopReason === 'max_tokens' ? 'length' : 'stop', 0, plan.inputTokens, plan.tokens.length); // prettier-ignore
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
