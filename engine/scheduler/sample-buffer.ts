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
 */
import type { MetricType, SampleSink, Tags, ValueType } from '../metrics/api.ts';
import { BUILTIN_DEFINITIONS } from '../metrics/builtin.ts';

export type BufferedOps = Array<string | number | Tags>;

/** Interned tag sets before a reset: bounds both sides' tables when scripts build tags per request. */
const MAX_TAG_SETS = 10_000;

export class SampleBuffer implements SampleSink {
  private ops: BufferedOps = [];
  private readonly types = new Map<string, string>(BUILTIN_DEFINITIONS.map((d) => [d.name, `${d.type}/${d.contains}`]));
  private ids = new WeakMap<Tags, number>();
  private nextId = 0;

  define(name: string, type: MetricType, contains: ValueType = 'default'): void {
    const known = this.types.get(name);
    const sig = `${type}/${contains}`;
    if (known === sig) return;
    if (known) throw new Error(`metric ${name} already exists as a ${known.replace('/', ' (contains ')}); cannot redefine it as a ${type} (contains ${contains})`);
    this.types.set(name, sig);
    this.ops.push('', type, contains, name);
  }

  add(name: string, value: number, tags: Tags, time?: number): void {
    if (!this.types.has(name)) throw new Error(`metric ${JSON.stringify(name)} is not defined`);
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
    this.ops.push(name, value, id, time ?? Date.now());
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

  constructor(private readonly sink: SampleSink) {}

  /** Adds a VU thread's buffered operations to the worker's sink. */
  replay(ops: BufferedOps): void {
    const sink = this.sink;
    for (let i = 0; i < ops.length; i += 4) {
      const head = ops[i] as string;
      if (head === '#') this.tags.set(ops[i + 1] as number, ops[i + 2] as Tags);
      else if (head === '') sink.define(ops[i + 3] as string, ops[i + 1] as MetricType, ops[i + 2] as ValueType);
      else if (head === '!') this.tags.clear();
      else sink.add(head, ops[i + 1] as number, this.tags.get(ops[i + 2] as number)!, ops[i + 3] as number);
    }
  }
}
