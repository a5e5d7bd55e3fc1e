/**
 * The sample sink of a sync-mode VU thread: it keeps the iteration's samples (and metric
 * definitions) in an array that travels with the iteration's reply to its worker, which adds them
 * to its own WorkerMetrics. So VU threads never fold or encode histograms themselves (a flush per
 * VU thread per second would cost more than the requests).
 */
import type { MetricType, SampleSink, Tags, ValueType } from '../metrics/api.ts';
import { BUILTIN_DEFINITIONS } from '../metrics/builtin.ts';

/** [name, value, tags, time] or a definition ['', type, contains, name]. */
export type BufferedOp = [name: string, value: number, tags: Tags, time: number] | ['', MetricType, ValueType, string];

export class SampleBuffer implements SampleSink {
  private ops: BufferedOp[] = [];
  private readonly types = new Map<string, string>(BUILTIN_DEFINITIONS.map((d) => [d.name, `${d.type}/${d.contains}`]));

  define(name: string, type: MetricType, contains: ValueType = 'default'): void {
    const known = this.types.get(name);
    const sig = `${type}/${contains}`;
    if (known === sig) return;
    if (known) throw new Error(`metric ${name} already exists as a ${known.replace('/', ' (contains ')}); cannot redefine it as a ${type} (contains ${contains})`);
    this.types.set(name, sig);
    this.ops.push(['', type, contains, name]);
  }

  add(name: string, value: number, tags: Tags, time?: number): void {
    if (!this.types.has(name)) throw new Error(`metric ${JSON.stringify(name)} is not defined`);
    this.ops.push([name, value, tags, time ?? Date.now()]);
  }

  take(): BufferedOp[] {
    const out = this.ops;
    this.ops = [];
    return out;
  }
}

/** Replays a VU thread's buffered operations into the worker's sink. */
export function replay(ops: readonly BufferedOp[], sink: SampleSink): void {
  for (const op of ops) {
    if (op[0] === '') sink.define(op[3] as string, op[1] as MetricType, op[2] as ValueType);
    else sink.add(op[0], op[1] as number, op[2] as Tags, op[3] as number);
  }
}
