/**
 * The sample sink of a sync-mode VU thread: it keeps the iteration's samples (and metric
 * definitions) in a flat array that travels with the iteration's reply to its worker, which adds
 * them to its own WorkerMetrics. So VU threads never fold or encode histograms themselves (a flush
 * per VU thread per second would cost more than the requests).
 *
 * Tag objects are interned: a tag set travels once (with a number), later samples carry the number
 * (the HTTP module reuses one tag object per request kind), so a message is mostly numbers and
 * the worker receives the same tag object again and again.
 *
 * The flat array holds groups of four slots:
 *   [name, value, tagId, time]        a sample
 *   ['#', tagId, tags, 0]             a tag set, before its first use
 *   ['', type, contains, name]        a metric definition
 *   ['!', 0, 0, 0]                    forget every tag set (the table grew past its bound)
 *   ['=', listId, names, 0]           a list of metric names (addSamples), before its first use
 *   ['*', listId, tagId, time]        addSamples: one value per name of the list follows, in
 *                                     groups of four slots (the last one padded with zeros)
 */
import type { MetricType, SampleSink, Tags, ValueType } from '../metrics/api.ts';
import { BUILTIN_DEFINITIONS } from '../metrics/builtin.ts';

export type BufferedOps = Array<string | number | Tags | string[]>;

/** Interned tag sets before a reset: bounds both sides' tables when scripts build tags per request. */
const MAX_TAG_SETS = 10_000;
/** addSamples name lists kept; past it, addSamples falls back to one `add` per value. */
const MAX_LISTS = 64;

export class SampleBuffer implements SampleSink {
  private ops: BufferedOps = [];
  private readonly types = new Map<string, string>(BUILTIN_DEFINITIONS.map((d) => [d.name, `${d.type}/${d.contains}`]));
  private ids = new WeakMap<Tags, number>();
  private nextId = 0;
  /** addSamples' name lists (constant arrays of the HTTP module), checked once and sent once. */
  private readonly lists = new Map<readonly string[], number>();

  define(name: string, type: MetricType, contains: ValueType = 'default'): void {
    const known = this.types.get(name);
    const sig = `${type}/${contains}`;
    if (known === sig) return;
    if (known)
      throw new Error(
        `metric ${name} already exists as a ${known.replace('/', ' (contains ')}); cannot redefine it as a ${type} (contains ${contains})`,
      );
    this.types.set(name, sig);
    this.ops.push('', type, contains, name);
  }

  /** See `sendEvery`. */
  private send: ((ops: BufferedOps) => void) | null = null;
  private everyMs = 0;
  private dueAt = 0;

  /**
   * Hands the buffered samples to `send` at most every `ms` (epoch time) as samples are added, so
   * that those of a long iteration reach the thresholds (abortOnFail) during it, not at its end.
   */
  sendEvery(ms: number, send: (ops: BufferedOps) => void): void {
    this.everyMs = ms;
    this.send = send;
    this.dueAt = Date.now() + ms;
  }

  /**
   * Before the thread blocks for `waitMs` (a sleep): sends what is buffered when it is due or the
   * wait is long, so that samples do not sit out the wait.
   */
  beforeWait(waitMs: number): void {
    if (!this.send || this.ops.length === 0) return;
    const now = Date.now();
    if (waitMs >= this.everyMs) this.dueAt = now;
    this.sendIfDue(now);
  }

  private sendIfDue(now: number): void {
    if (now < this.dueAt) return;
    this.dueAt = now + this.everyMs;
    this.send!(this.take());
  }

  add(name: string, value: number, tags: Tags, time?: number): void {
    if (!this.types.has(name)) throw new Error(`metric ${JSON.stringify(name)} is not defined`);
    const t = time ?? Date.now();
    this.ops.push(name, value, this.tagId(tags), t);
    if (this.send) this.sendIfDue(t);
  }

  /** The same as `add` for each (name, value) pair: one op and the values, for a constant `names`. */
  addSamples(names: readonly string[], values: ArrayLike<number>, tags: Tags, time: number): void {
    let list = this.lists.get(names);
    if (list === undefined) {
      for (const name of names)
        if (!this.types.has(name)) throw new Error(`metric ${JSON.stringify(name)} is not defined`);
      if (this.lists.size >= MAX_LISTS) {
        for (let i = 0; i < names.length; i++) this.add(names[i]!, values[i]!, tags, time);
        return;
      }
      list = this.lists.size;
      this.lists.set(names, list);
      this.ops.push('=', list, [...names], 0);
    }
    const ops = this.ops;
    ops.push('*', list, this.tagId(tags), time);
    const n = names.length;
    for (let i = 0; i < n; i++) ops.push(values[i]!);
    for (let i = n; i % 4 !== 0; i++) ops.push(0);
    if (this.send) this.sendIfDue(time);
  }

  private tagId(tags: Tags): number {
    let id = this.ids.get(tags);
    if (id === undefined) {
      if (this.nextId >= MAX_TAG_SETS) {
        this.ids = new WeakMap();
        this.nextId = 0;
        this.ops.push('!', 0, 0, 0);
      }
      id = this.nextId++;
      this.ids.set(tags, id);
      this.ops.push('#', id, tags, 0);
    }
    return id;
  }

  take(): BufferedOps {
    const out = this.ops;
    this.ops = [];
    return out;
  }
}

/** The worker's side of one VU thread's buffer: its interned tag sets. */
export class SampleReplayer {
  private readonly tags = new Map<number, Tags>();
  private readonly lists: string[][] = [];
  private readonly values = new Float64Array(16);

  constructor(private readonly sink: SampleSink) {}

  /** Adds a VU thread's buffered operations to the worker's sink. */
  replay(ops: BufferedOps): void {
    const sink = this.sink;
    for (let i = 0; i < ops.length; i += 4) {
      const head = ops[i] as string;
      if (head === '*') {
        const names = this.lists[ops[i + 1] as number]!;
        const tags = this.tags.get(ops[i + 2] as number)!;
        const time = ops[i + 3] as number;
        const n = names.length;
        const v = n <= this.values.length ? this.values : new Float64Array(n);
        for (let k = 0; k < n; k++) v[k] = ops[i + 4 + k] as number;
        if (sink.addSamples) sink.addSamples(names, v, tags, time);
        else for (let k = 0; k < n; k++) sink.add(names[k]!, v[k]!, tags, time);
        i += Math.ceil(n / 4) * 4;
      } else if (head === '#') this.tags.set(ops[i + 1] as number, ops[i + 2] as Tags);
      else if (head === '=') this.lists[ops[i + 1] as number] = ops[i + 2] as unknown as string[];
      else if (head === '') sink.define(ops[i + 3] as string, ops[i + 1] as MetricType, ops[i + 2] as ValueType);
      else if (head === '!') this.tags.clear();
      else sink.add(head, ops[i + 1] as number, this.tags.get(ops[i + 2] as number)!, ops[i + 3] as number);
    }
  }
}
