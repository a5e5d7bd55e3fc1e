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

  it('replays addSamples batches in order among single samples, whether the sink batches or not', () => {
    const names = [
      'http_reqs',
      'http_req_duration',
      'http_req_blocked',
      'http_req_connecting',
      'http_req_tls_handshaking',
    ] as const;
    const two = ['data_sent', 'data_received'] as const;
    const tags = { scenario: 's', status: '200' };
    const buf = new SampleBuffer();
    buf.add('iterations', 1, tags, 1);
    buf.addSamples(names, new Float64Array([1, 20.5, 0.25, 0, 0]), tags, 2);
    buf.addSamples(two, [123, 456], { scenario: 's' }, 3);
    buf.add('iterations', 1, tags, 4);
    const first = buf.take();
    buf.addSamples(names, [1, 7, 0, 0, 0], tags, 5);
    const second = buf.take();
    assert.ok(second.length < first.length, 'a name list and a tag set travel once');
    const expected = [
      ['iterations', 1, tags, 1],
      ['http_reqs', 1, tags, 2],
      ['http_req_duration', 20.5, tags, 2],
      ['http_req_blocked', 0.25, tags, 2],
      ['http_req_connecting', 0, tags, 2],
      ['http_req_tls_handshaking', 0, tags, 2],
      ['data_sent', 123, { scenario: 's' }, 3],
      ['data_received', 456, { scenario: 's' }, 3],
      ['iterations', 1, tags, 4],
      ['http_reqs', 1, tags, 5],
      ['http_req_duration', 7, tags, 5],
      ['http_req_blocked', 0, tags, 5],
      ['http_req_connecting', 0, tags, 5],
      ['http_req_tls_handshaking', 0, tags, 5],
    ];
    // A sink without addSamples gets each value through add.
    const rec = new Recorder();
    const replayer = new SampleReplayer(rec);
    replayer.replay(travel(first));
    replayer.replay(travel(second));
    assert.deepEqual(rec.adds, expected);
    // One with addSamples gets the batches whole.
    class Batching extends Recorder {
      batches = 0;
      addSamples(ns: readonly string[], vs: ArrayLike<number>, t: Tags, time: number): void {
        this.batches++;
        for (let i = 0; i < ns.length; i++) this.add(ns[i]!, vs[i]!, t, time);
      }
    }
    const batching = new Batching();
    const r2 = new SampleReplayer(batching);
    r2.replay(travel(first));
    r2.replay(travel(second));
    assert.deepEqual(batching.adds, expected);
    assert.equal(batching.batches, 3);
  });

  it('rejects an unknown metric in addSamples', () => {
    assert.throws(() => new SampleBuffer().addSamples(['http_reqs', 'nope'], [1, 2], {}, 0), /"nope" is not defined/);
  });
});
