/** The VUs of an async-mode worker: in-thread, initialized in the thread (awaited only for a script with top-level await), shared by its scenarios. */
import type { ExecVu, VuSource } from '../executors/context.ts';
import type { MetricsSnapshot } from '../metrics/api.ts';
import { nthOwned, type Segment } from '../options/segment.ts';
import type { VuHost } from '../runtime/host.ts';
import { Vu } from '../runtime/vu.ts';

export interface VuIds {
  /** Segment of the whole test this worker owns: VU idInTest. */
  test: Segment;
  /** Share of this process this worker owns: VU idInInstance. */
  instance: Segment;
}

export class LocalVuPool implements VuSource {
  readonly cheapCreate = true;
  readonly all: Vu[] = [];
  private readonly idleList: Vu[] = [];
  private taken = 0;

  constructor(
    private readonly host: VuHost,
    private readonly ids: VuIds,
  ) {}

  get size(): number {
    return this.all.length;
  }

  get active(): number {
    return this.taken;
  }

  private async make(): Promise<Vu> {
    const i = this.all.length;
    const vu = new Vu(nthOwned(this.ids.instance, i) + 1, nthOwned(this.ids.test, i) + 1, this.host);
    this.all.push(vu); // before init settles: the next VU takes the next id
    await vu.init();
    this.host.instance.vusInitialized++;
    return vu;
  }

  /** Initializes VUs side by side, as k6 does: an init context that waits (timers, top-level await) does not delay the next. */
  async preload(count: number): Promise<void> {
    const made: Array<Promise<Vu>> = [];
    while (this.all.length < count) made.push(this.make());
    this.idleList.push(...(await Promise.all(made)));
  }

  idle(): ExecVu | null {
    const vu = this.idleList.pop();
    if (!vu) return null;
    this.take();
    return vu;
  }

  async create(): Promise<ExecVu> {
    const vu = await this.make();
    this.take();
    return vu;
  }

  release(vu: ExecVu): void {
    this.idleList.push(vu as Vu);
    this.taken--;
    this.host.instance.vusActive = this.taken;
  }

  private take(): void {
    this.taken++;
    this.host.instance.vusActive = this.taken;
  }

  /** In-thread VUs write to the worker's own sink: nothing extra to collect. */
  drainSnapshots(): MetricsSnapshot[] {
    return [];
  }

  async flushAll(): Promise<void> {}

  setSetupData?: (json: string, startEpoch: number) => void;

  async closeAll(): Promise<void> {
    for (const vu of this.all) await vu.close();
  }
}
