/**
 * The VUs of a sync-mode worker: each VU is a thread of its own (sync-vu.ts) that blocks on its
 * I/O; this pool starts them, sends them iterations and interrupts them. One I/O thread serves the
 * blocking HTTP calls of all the VUs of this worker.
 */
import type { Worker } from 'node:worker_threads';
import type { ExecVu, IterationOutcome, LoopPlan, ScenarioRun, VuSource } from '../executors/context.ts';
import type { MetricsSnapshot } from '../metrics/api.ts';
import { nthOwned } from '../options/segment.ts';
import type { VuHost } from '../runtime/host.ts';
import { attachTo, startIoThread } from '../runtime/sync-http.ts';
import { startThread } from '../runtime/threads.ts';
import type { VuIds } from './local-pool.ts';
import type { WorkerInit } from './protocol.ts';
import type { FromSyncVu, SyncVuInit, ToSyncVu } from './sync-vu-protocol.ts';
import { SampleReplayer } from './sample-buffer.ts';
import { ScriptError } from '../errors.ts';

class RemoteVu implements ExecVu {
  private seq = 0;
  private waiting: ((o: IterationOutcome) => void) | null = null;
  private looping: ScenarioRun | null = null;
  private readonly sentConfigs = new Set<string>();
  flushed: (() => void) | null = null;
  closed: (() => void) | null = null;

  constructor(
    readonly idInInstance: number,
    readonly idInTest: number,
    readonly thread: Worker,
    private readonly ctrl: Int32Array,
    private readonly io: Worker,
  ) {}

  iterate(scn: ScenarioRun, local: number, global: number): Promise<IterationOutcome> {
    this.seq++;
    const msg: ToSyncVu = {
      type: 'iterate',
      seq: this.seq,
      scenario: scn.config.name,
      config: this.configOnce(scn),
      startEpochMs: scn.startEpochMs,
      progress: scn.progress(),
      local,
      global,
    };
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.thread.postMessage(msg);
    });
  }

  loop(scn: ScenarioRun, plan: LoopPlan): Promise<void> {
    this.seq++;
    this.looping = scn;
    const msg: ToSyncVu = {
      type: 'loop',
      seq: this.seq,
      scenario: scn.config.name,
      config: this.configOnce(scn),
      startEpochMs: scn.startEpochMs,
      counter: scn.counter!.buffer as SharedArrayBuffer,
      plan,
    };
    return new Promise((resolve) => {
      this.waiting = () => {
        this.looping = null;
        resolve();
      };
      this.thread.postMessage(msg);
    });
  }

  /** A batch of the running loop's outcomes. */
  counted(seq: number, completed: number, interrupted: number, done: boolean): void {
    const scn = this.looping;
    if (seq !== this.seq || !scn) return;
    scn.iterationsCompleted += completed;
    scn.iterationsInterrupted += interrupted;
    if (done) this.settle(seq, 'completed');
  }

  /** The scenario's config travels with the first message about it. */
  private configOnce(scn: ScenarioRun): ScenarioRun['config'] | undefined {
    if (this.sentConfigs.has(scn.config.name)) return undefined;
    this.sentConfigs.add(scn.config.name);
    return scn.config;
  }

  settle(seq: number, outcome: IterationOutcome): void {
    if (seq !== this.seq || !this.waiting) return;
    const w = this.waiting;
    this.waiting = null;
    w(outcome);
  }

  interrupt(): void {
    Atomics.store(this.ctrl, 0, this.seq);
    Atomics.notify(this.ctrl, 0);
    this.io.postMessage({ abortSlot: this.idInInstance });
  }

  /** The thread died: whatever runs there is interrupted. */
  lost(): void {
    this.settle(this.seq, 'interrupted');
  }
}

export class RemoteVuPool implements VuSource {
  readonly cheapCreate = false;
  private readonly all: RemoteVu[] = [];
  private readonly idleList: RemoteVu[] = [];
  private readonly io: Worker;
  private taken = 0;
  private made = 0;
  private setupDataJson = '';
  private startEpoch = 0;

  constructor(
    private readonly init: WorkerInit,
    private readonly ids: VuIds,
    private readonly host: VuHost,
  ) {
    this.io = startIoThread(init.options.transport);
  }

  get size(): number {
    return this.all.length;
  }

  get active(): number {
    return this.taken;
  }

  setSetupData(json: string, startEpoch: number): void {
    this.setupDataJson = json;
    this.startEpoch = startEpoch;
    for (const vu of this.all) vu.thread.postMessage({ type: 'setup', json, startEpoch } satisfies ToSyncVu);
  }

  private make(): Promise<RemoteVu> {
    const i = this.made++;
    const idInInstance = nthOwned(this.ids.instance, i) + 1;
    const idInTest = nthOwned(this.ids.test, i) + 1;
    const ctrl = new SharedArrayBuffer(4);
    const attach = attachTo(this.io, idInInstance);
    const data: SyncVuInit = {
      script: this.init.script,
      options: this.init.options,
      baseEnv: this.init.baseEnv,
      idInInstance,
      idInTest,
      attach,
      ctrl,
      setupDataJson: this.setupDataJson,
      startEpoch: this.startEpoch,
      secretsShared: this.init.secretsShared,
    };
    const thread = startThread('sync-vu', data, { transferList: [attach.port] });
    const vu = new RemoteVu(idInInstance, idInTest, thread, new Int32Array(ctrl), this.io);
    const samples = new SampleReplayer(this.host.sink);
    return new Promise((resolve, reject) => {
      thread.on('message', (msg: FromSyncVu) => {
        switch (msg.type) {
          case 'ready':
            this.all.push(vu);
            this.host.instance.vusInitialized = this.all.length;
            resolve(vu);
            break;
          case 'fatal':
            reject(new ScriptError(msg.message));
            break;
          case 'iterated':
            samples.replay(msg.samples);
            vu.settle(msg.seq, msg.outcome);
            break;
          case 'counted':
            samples.replay(msg.samples);
            vu.counted(msg.seq, msg.completed, msg.interrupted, msg.done);
            break;
          case 'samples':
            samples.replay(msg.samples);
            if (msg.final) vu.flushed?.();
            break;
          case 'abort':
            this.host.abortTest(msg.message);
            break;
          case 'log':
            this.host.writeLine(msg.line);
            break;
          case 'closed':
            vu.closed?.();
            break;
        }
      });
      thread.on('error', (err) => {
        reject(err);
        this.host.log('ERRO', `VU ${idInTest} thread failed: ${err.message}`);
        vu.lost();
      });
      thread.on('exit', () => vu.lost());
    });
  }

  async preload(count: number): Promise<void> {
    const made = await Promise.all(Array.from({ length: Math.max(0, count - this.all.length) }, () => this.make()));
    this.idleList.push(...made);
  }

  idle(): ExecVu | null {
    const vu = this.idleList.pop();
    if (!vu) return null;
    this.taken++;
    this.host.instance.vusActive = this.taken;
    return vu;
  }

  async create(): Promise<ExecVu> {
    const vu = await this.make();
    this.taken++;
    this.host.instance.vusActive = this.taken;
    return vu;
  }

  release(vu: ExecVu): void {
    this.idleList.push(vu as RemoteVu);
    this.taken--;
    this.host.instance.vusActive = this.taken;
  }

  /** VU threads' samples go straight into the worker's sink (see sample-buffer.ts). */
  drainSnapshots(): MetricsSnapshot[] {
    return [];
  }

  /** Asks every VU thread for its last metrics. */
  async flushAll(): Promise<void> {
    await Promise.all(
      this.all.map(
        (vu) =>
          new Promise<void>((resolve) => {
            vu.flushed = resolve;
            vu.thread.postMessage({ type: 'flush' } satisfies ToSyncVu);
            setTimeout(resolve, 5000).unref();
          }),
      ),
    );
  }

  async closeAll(): Promise<void> {
    await Promise.all(
      this.all.map((vu) =>
        new Promise<void>((resolve) => {
          vu.closed = resolve;
          vu.thread.postMessage({ type: 'close' } satisfies ToSyncVu);
          setTimeout(resolve, 5000).unref();
        }).then(() => vu.thread.terminate()),
      ),
    );
    await this.io.terminate();
  }
}
