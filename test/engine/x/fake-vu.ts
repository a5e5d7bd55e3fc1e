/**
 * A minimal VuContext for driving an extension module's `createModule` directly: the
 * servers behind it are real, only the VU around it is a stand-in. It records metric
 * definitions and samples, and runs the registered cleanups on `close()`.
 */
import type { ExecutionMode, VuContext, VuPhase } from '../../../engine/modules/api.ts';
import type { MetricType, Tags, ValueType } from '../../../engine/metrics/api.ts';
import { Interrupt } from '../../../engine/runtime/interrupt.ts';

export interface Sample {
  name: string;
  value: number;
  tags: Tags;
}

export interface FakeVu extends VuContext {
  /** The running iteration's interruption: abort() it to stop the iteration. */
  interruption: Interrupt;
  readonly defined: Map<string, { type: MetricType; contains: ValueType }>;
  readonly samples: Sample[];
  /** Runs every onClose callback (last registered first), as the engine does at VU shutdown. */
  close(): Promise<void>;
  sum(name: string): number;
}

export function fakeVu(
  mode: ExecutionMode = 'async',
  tags: Tags = { scenario: 'default' },
  phase: VuPhase = 'iteration',
): FakeVu {
  const closers: Array<() => void | Promise<void>> = [];
  const defined = new Map<string, { type: MetricType; contains: ValueType }>();
  const samples: Sample[] = [];
  return {
    idInTest: 1,
    env: {},
    mode,
    interruption: new Interrupt(),
    iterationSignal() {
      return this.interruption;
    },
    defined,
    samples,
    metrics: {
      define(name, type, contains = 'default') {
        const existing = defined.get(name);
        if (existing && existing.type !== type) throw new Error(`metric ${name} redefined as ${type}`);
        defined.set(name, { type, contains });
      },
      add(name, value, sampleTags) {
        // k6's built-in metrics (http_*, data_*) exist without a define, as in the engine.
        if (!defined.has(name) && !name.startsWith('http_') && !name.startsWith('data_'))
          throw new Error(`unknown metric ${name}`);
        samples.push({ name, value, tags: sampleTags });
      },
    },
    phase: () => phase,
    currentTags: () => tags,
    onClose(fn) {
      closers.push(fn);
    },
    async close() {
      while (closers.length) await closers.pop()!();
    },
    sum(name) {
      return samples.filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);
    },
  };
}
