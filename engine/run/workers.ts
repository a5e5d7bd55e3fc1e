/**
 * The parent's side of the worker threads: start them (each with its segment), wait until their
 * VUs are initialized, start them together, relay their messages, stop and close them.
 */
import type { Worker } from 'node:worker_threads';
import { peakVus, scenarioSegment } from '../executors/index.ts';
import { FULL_SEGMENT, scaleInt, subSegment } from '../options/segment.ts';
import { startThread } from '../runtime/threads.ts';
import type { FromWorker, Progress, ToWorker, WorkerInit } from '../scheduler/protocol.ts';
import type { VuIds } from '../scheduler/local-pool.ts';
import type { RunPlan } from './plan.ts';

export interface WorkerEvents {
  onMessage(index: number, msg: FromWorker): void;
  onCrash(index: number, err: Error): void;
}

export class WorkerGroup {
  private readonly threads: Worker[] = [];
  readonly progress: Progress[] = [];
  private readonly done = new Set<number>();
  private readonly closed = new Set<number>();
  private allDone: () => void = () => undefined;
  private allClosed: () => void = () => undefined;

  constructor(
    private readonly plan: RunPlan,
    private readonly metricsEpoch: number,
    private readonly events: WorkerEvents,
  ) {}

  get size(): number {
    return this.threads.length;
  }

  /** Starts the threads; resolves when every VU is initialized (rejects on the first failure). */
  async start(): Promise<void> {
    const { plan } = this;
    const readies: Array<Promise<void>> = [];
    for (let i = 0; i < plan.workers; i++) {
      const segment = subSegment(plan.segment, i, plan.workers);
      const ids: VuIds = { test: segment, instance: subSegment(FULL_SEGMENT, i, plan.workers) };
      const init: WorkerInit & { ids: VuIds } = {
        index: i,
        script: plan.script,
        options: plan.options,
        processSegment: plan.segment,
        workers: plan.workers,
        selectors: plan.selectors,
        baseEnv: plan.baseEnv,
        mode: plan.mode,
        plannedVus: peakVus(plan.options.scenarios, (n, c) => {
          const part = scenarioSegment(c, plan.segment, i, plan.workers);
          return part ? scaleInt(n, part) : 0;
        }),
        metricsEpoch: this.metricsEpoch,
        secretsShared: plan.secretsShared,
        ids,
      };
      const w = startThread('worker', init);
      this.threads.push(w);
      this.progress.push({ vusActive: 0, vusMax: 0, scenarios: {} });
      readies.push(
        new Promise((resolve, reject) => {
          w.on('message', (msg: FromWorker) => {
            if (msg.type === 'ready') {
              this.progress[i]!.vusMax = msg.vus;
              resolve();
            }
            if (msg.type === 'fatal')
              reject(Object.assign(new Error(msg.message), { exitCode: msg.exitCode, code: msg.code }));
            if (msg.type === 'metrics' || msg.type === 'done') this.progress[i] = msg.progress;
            if (msg.type === 'done') this.markDone(i);
            if (msg.type === 'closed') this.markClosed(i);
            this.events.onMessage(i, msg);
          });
          w.on('error', (err) => {
            reject(err);
            this.events.onCrash(i, err);
            this.markDone(i);
            this.markClosed(i);
          });
          w.on('exit', () => {
            this.markDone(i);
            this.markClosed(i);
          });
        }),
      );
    }
    await Promise.all(readies);
  }

  send(msg: ToWorker): void {
    for (const w of this.threads) w.postMessage(msg);
  }

  /** Resolves when every worker reported `done` (or died). */
  finished(): Promise<void> {
    if (this.done.size >= this.threads.length) return Promise.resolve();
    return new Promise((resolve) => (this.allDone = resolve));
  }

  /** Closes the VUs (module onClose hooks) and ends the threads. */
  async close(timeoutMs = 10_000): Promise<void> {
    const all = new Promise<void>((resolve) => {
      this.allClosed = resolve;
      if (this.closed.size >= this.threads.length) resolve();
    });
    this.send({ type: 'finish' });
    await Promise.race([all, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    await Promise.all(this.threads.map((w) => w.terminate()));
  }

  private markDone(i: number): void {
    this.done.add(i);
    if (this.done.size >= this.threads.length) this.allDone();
  }

  private markClosed(i: number): void {
    this.closed.add(i);
    if (this.closed.size >= this.threads.length) this.allClosed();
  }
}
