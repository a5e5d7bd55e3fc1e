/** SampleBuffer / SampleReplayer: a sync-mode VU thread's samples reach the worker's sink intact. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MetricType, SampleSink, Tags, ValueType } from '../../../engine/metrics/api.ts';
import { SampleBuffer, SampleReplayer } from '../../../engine/scheduler/sample-buffer.ts';

class Recorder implements SampleSink {
  readonly adds: Array<[string, number, Tags, number]> = [];
  readonly defs: string[] = [];
  define(name: string, type: MetricType, contains?: ValueType): void {
    this.defs.push(`${name}/${type}/${contains}`);
  }
  add(name: string, value: number, tags: Tags, time?: number): void {
    this.adds.push([name, value, tags, time ?? -1]);
  }
}

/** Through structured clone, as over a MessagePort. */
const travel = <T>(x: T): T => structuredClone(x);

describe('SampleBuffer', () => {
  it('replays samples with their tags, values and times, and definitions, in order', () => {
    const buf = new SampleBuffer();
    const a = { scenario: 's', group: '' };
    buf.define('my_trend', 'trend', 'time');
    buf.add('my_trend', 1.5, a, 100);
    buf.add('http_reqs', 1, { scenario: 's', status: '200' }, 101);
    const rec = new Recorder();
    new SampleReplayer(rec).replay(travel(buf.take()));
    assert.deepEqual(rec.defs, ['my_trend/trend/time']);
    assert.deepEqual(rec.adds, [
      ['my_trend', 1.5, a, 100],
      ['http_reqs', 1, { scenario: 's', status: '200' }, 101],
    ]);
  });

  it('sends a reused tag object once and the worker sees one object for it across messages', () => {
    const buf = new SampleBuffer();
    const rec = new Recorder();
    const replayer = new SampleReplayer(rec);
    const tags = { scenario: 's' };
    buf.add('iterations', 1, tags, 1);
    const first = buf.take();
    buf.add('iterations', 1, tags, 2);
    const second = buf.take();
    assert.ok(second.length < first.length);
    replayer.replay(travel(first));
    replayer.replay(travel(second));
    assert.equal(rec.adds.length, 2);
    assert.equal(rec.adds[0]![2], rec.adds[1]![2]);
    assert.deepEqual(rec.adds[1]![2], tags);
  });

  it('keeps tags right after its tag table is reset', () => {
    const buf = new SampleBuffer();
    const rec = new Recorder();
    const replayer = new SampleReplayer(rec);
    for (let i = 0; i < 10_005; i++) buf.add('iterations', 1, { n: String(i) }, i);
    replayer.replay(travel(buf.take()));
    assert.equal(rec.adds.length, 10_005);
    assert.ok(rec.adds.every(([, , t, time]) => t.n === String(time)));
  });

  it('rejects an unknown metric', () => {
    assert.throws(() => new SampleBuffer().add('nope', 1, {}), /not defined/);
  });
});
