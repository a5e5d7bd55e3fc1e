/** The shared token scheduler and the stream schedule, on a virtual clock (no wall-clock timing). */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { Admission } from '../../mock-llm/admission.ts';
import { anthropic } from '../../mock-llm/anthropic.ts';
import { resolveConfig } from '../../mock-llm/config.ts';
import { CATCH_UP_MAX_MS, generate, nextDue, type GenerateContext, type Job } from '../../mock-llm/generate.ts';
import { LatenessHistogram } from '../../mock-llm/lateness.ts';
import { Planner, type ParsedRequest } from '../../mock-llm/plan.ts';
import { Scheduler, type SchedulerClock, type Timed } from '../../mock-llm/scheduler.ts';
import { StatsCollector } from '../../mock-llm/stats.ts';

/** Timers fire when `advance` moves time past them, `lag` ms late (the virtual event-loop delay). */
class VirtualClock implements SchedulerClock {
  t = 0;
  lag = 0;
  maxArmed = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;

  now(): number {
    return this.t;
  }
  get armed(): number {
    return this.timers.size;
  }
  setTimer(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.t + Math.max(ms, 1) + this.lag, fn });
    this.maxArmed = Math.max(this.maxArmed, this.timers.size);
    return id;
  }
  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  advance(to: number): void {
    for (;;) {
      let first: [number, { at: number; fn: () => void }] | null = null;
      for (const e of this.timers) if (first === null || e[1].at < first[1].at) first = e;
      if (first === null || first[1].at > to) break;
      this.timers.delete(first[0]);
      this.t = first[1].at;
      first[1].fn();
    }
    this.t = to;
  }
}

function item(due: number, log: Array<[number, number]>, id: number): Timed {
  return { due, heapIndex: -1, fire: (now) => log.push([id, now]) };
}

describe('Scheduler', () => {
  it('fires many entries in due order, none before its due time minus the tolerance', () => {
    const clock = new VirtualClock();
    const s = new Scheduler(clock, 0.5);
    const log: Array<[number, number]> = [];
    const dues = Array.from({ length: 500 }, (_, i) => ((i * 7919) % 1000) + 0.25 * (i % 4));
    dues.forEach((due, i) => s.add(item(due, log, i)));
    clock.advance(2000);
    assert.equal(log.length, 500);
    const fired = log.map(([id]) => dues[id]!);
    assert.deepEqual(
      fired,
      [...fired].sort((a, b) => a - b),
    );
    for (const [id, now] of log) assert.ok(now >= dues[id]! - 0.5, `entry ${id} due ${dues[id]} fired at ${now}`);
  });

  it('keeps at most one timer armed however many entries wait', () => {
    const clock = new VirtualClock();
    const s = new Scheduler(clock, 0.5);
    const log: Array<[number, number]> = [];
    for (let i = 0; i < 200; i++) s.add(item(1000 - i, log, i));
    clock.advance(1500);
    assert.equal(log.length, 200);
    assert.equal(clock.maxArmed, 1);
  });

  it('never fires a removed entry and disarms when nothing is left', () => {
    const clock = new VirtualClock();
    const s = new Scheduler(clock, 0.5);
    const log: Array<[number, number]> = [];
    const a = item(10, log, 1);
    const b = item(20, log, 2);
    s.add(a);
    s.add(b);
    s.remove(a);
    clock.advance(15);
    assert.deepEqual(log, []);
    s.remove(b);
    assert.deepEqual([clock.armed, s.size], [0, 0]);
    clock.advance(100);
    assert.deepEqual(log, []);
  });

  it('uses the timing the clock gives for each arming: aims early by it and serves within its tolerance', () => {
    const clock = new VirtualClock();
    let timing = { toleranceMs: 0.2, aimEarlyMs: 0 };
    const asked: number[] = [];
    const timed: SchedulerClock = {
      now: () => clock.now(),
      setTimer: (fn, ms) => {
        asked.push(ms);
        return clock.setTimer(fn, ms);
      },
      clearTimer: (h) => clock.clearTimer(h),
      timing: () => timing,
    };
    const s = new Scheduler(timed, 0.5);
    const log: Array<[number, number]> = [];
    s.add(item(10, log, 1));
    s.add(item(10.15, log, 2)); // within 0.2 of the first: served with it
    s.add(item(10.4, log, 3)); // not within 0.2: a timer of its own
    assert.deepEqual(asked, [10]); // aimed at the due time, not 0.5 before it
    assert.equal(s.toleranceMs, 0.2);
    clock.advance(10);
    assert.deepEqual(
      log.map(([id]) => id),
      [1, 2],
    );
    timing = { toleranceMs: 0.5, aimEarlyMs: 0.5 };
    s.add(item(30, log, 4));
    clock.advance(40);
    assert.deepEqual(
      log.map(([id]) => id),
      [1, 2, 3, 4],
    );
    assert.equal(s.toleranceMs, 0.5);
  });

  it('moves an entry that is added again to its new due time', () => {
    const clock = new VirtualClock();
    const s = new Scheduler(clock, 0.5);
    const log: Array<[number, number]> = [];
    const a = item(10, log, 1);
    s.add(a);
    a.due = 50;
    s.add(a);
    clock.advance(40);
    assert.equal(log.length, 0);
    clock.advance(60);
    assert.equal(log.length, 1);
  });
});

describe('nextDue', () => {
  it('keeps the absolute schedule when the previous token was on time', () => {
    assert.equal(nextDue(120, 20, 100.3), 120);
  });

  it('cuts a gap by at most the catch-up bound after a stall', () => {
    assert.equal(nextDue(120, 20, 130), 130 + 20 - CATCH_UP_MAX_MS);
  });

  it('returns to the absolute schedule once the catch-up bound allows it', () => {
    assert.equal(nextDue(140, 20, 121), 140);
  });

  it('writes zero-gap tokens at once', () => {
    assert.equal(nextDue(100, 0, 130), 130);
  });
});

/** A stand-in response recording what was written and when (on the virtual clock). */
class FakeResponse extends EventEmitter {
  headersSent = false;
  writableEnded = false;
  writes: Array<{ at: number; tokens: number }> = [];
  /** node:http corks the socket on a write and uncorks it on the next tick; the fake never does. */
  readonly socket = {
    writableCorked: 0,
    uncorks: 0,
    uncork(): void {
      this.writableCorked--;
      this.uncorks++;
    },
  };
  constructor(private readonly clock: VirtualClock) {
    super();
  }
  writeHead(): this {
    this.headersSent = true;
    return this;
  }
  write(chunk: string): boolean {
    this.writes.push({ at: this.clock.t, tokens: chunk.split('event: content_block_delta').length - 1 });
    if (this.socket.writableCorked === 0) this.socket.writableCorked = 1;
    return true;
  }
  end(chunk: string): this {
    this.write(chunk);
    this.writableEnded = true;
    return this;
  }
  destroy(): this {
    return this;
  }
}

function streams(
  count: number,
  opts: { lagAt?: number; lag?: number; ttftMs?: number; itlMs?: number; clock?: VirtualClock } = {},
): { responses: FakeResponse[]; stats: StatsCollector } {
  const clock = opts.clock ?? new VirtualClock();
  const config = resolveConfig({
    latency: { ttftMs: opts.ttftMs ?? 200, itlMs: opts.itlMs ?? 20 },
    output: { tokens: 10 },
  });
  const planner = new Planner(42, config, true);
  const stats = new StatsCollector();
  const ctx: GenerateContext = {
    stats,
    admission: new Admission(0),
    scheduler: new Scheduler(clock, 0.5),
    jobs: new Set<Job>(),
    itl: () => config.latency.itlMs,
  };
  const responses: FakeResponse[] = [];
  for (let i = 0; i < count; i++) {
    const parsed = anthropic.parse(
      { model: 'm', max_tokens: 100, stream: true, messages: [{ role: 'user', content: `stream ${i}` }] },
      100,
    ) as ParsedRequest;
    const res = new FakeResponse(clock);
    responses.push(res);
    ctx.admission.acquire(() => {});
    generate(
      ctx,
      anthropic,
      planner.plan(parsed),
      res as unknown as ServerResponse,
      'POST /v1/messages',
      'req_x',
      opts.ttftMs === 0 ? 0 : i * 3.3,
    );
  }
  if (opts.clock) return { responses, stats };
  if (opts.lagAt !== undefined) {
    clock.advance(opts.lagAt);
    clock.lag = opts.lag ?? 0;
    clock.advance(opts.lagAt + 5);
    clock.lag = 0;
  }
  clock.advance(10_000);
  return { responses, stats };
}

describe('stream schedule on the shared scheduler', () => {
  it('writes every token of many streams on its absolute schedule, one token per write', () => {
    const { responses, stats } = streams(50);
    responses.forEach((res, i) => {
      assert.equal(res.writes.length, 10, `stream ${i}: one write per token`);
      res.writes.forEach((w, k) => {
        assert.equal(w.tokens, 1);
        const due = i * 3.3 + 200 + 20 * k;
        assert.ok(Math.abs(w.at - due) <= 1, `stream ${i} token ${k} at ${w.at}, due ${due}`);
      });
    });
    assert.equal(stats.latenessFirst.summary().tokens + stats.latenessLater.summary().tokens, 500);
    assert.ok(stats.latenessLater.summary().max! <= 1);
  });

  it('sends each write at once instead of leaving it corked until the next tick', () => {
    const { responses } = streams(20);
    for (const res of responses) {
      assert.equal(res.socket.writableCorked, 0);
      assert.equal(res.socket.uncorks, res.writes.length);
    }
  });

  it('writes a zero-latency stream at once, without waiting for a timer', () => {
    const clock = new VirtualClock();
    const { responses } = streams(3, { ttftMs: 0, itlMs: 0, clock });
    assert.deepEqual(
      responses.map((r) => [r.writes.length, r.writes[0]?.tokens, r.writableEnded]),
      [
        [1, 10, true],
        [1, 10, true],
        [1, 10, true],
      ],
    );
    assert.equal(clock.armed, 0);
  });

  it('after a stall writes one token per write, no gap shorter than ITL minus the catch-up bound, then returns to the schedule', () => {
    const { responses } = streams(20, { lagAt: 260, lag: 8 });
    const stalled = responses.filter((r) => r.writes.some((w, k) => k > 0 && w.at - r.writes[k - 1]!.at > 25));
    assert.ok(stalled.length > 0, 'the stall delayed some stream');
    responses.forEach((res, i) => {
      assert.ok(res.writes.every((w) => w.tokens === 1));
      for (let k = 1; k < res.writes.length; k++) {
        const gap = res.writes[k]!.at - res.writes[k - 1]!.at;
        assert.ok(gap >= 20 - CATCH_UP_MAX_MS - 1, `stream ${i} gap ${gap}`);
      }
      const lastDue = i * 3.3 + 200 + 20 * 9;
      assert.ok(
        Math.abs(res.writes[9]!.at - lastDue) <= 1,
        `stream ${i} last token at ${res.writes[9]!.at}, due ${lastDue}`,
      );
    });
  });
});

describe('LatenessHistogram', () => {
  it('reports quantiles to the 0.1 ms bucket and the exact max', () => {
    const h = new LatenessHistogram();
    for (let i = 0; i < 1000; i++) h.record(i / 100); // 0 .. 9.99 ms
    const s = h.summary();
    assert.equal(s.tokens, 1000);
    assert.ok(Math.abs(s.p50! - 5) <= 0.11, `p50 ${s.p50}`);
    assert.ok(Math.abs(s.p99! - 9.9) <= 0.11, `p99 ${s.p99}`);
    assert.equal(s.max, 9.99);
  });

  it('is empty after a reset', () => {
    const h = new LatenessHistogram();
    h.record(3);
    h.reset();
    assert.deepEqual(h.summary(), { tokens: 0, p50: null, p99: null, p999: null, max: null, mean: null });
  });
});
