import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from '../../../engine/options/duration.ts';
import { consolidate, envLayer, parseStages } from '../../../engine/options/consolidate.ts';
import {
  checkSegmentInSequence,
  nthOwned,
  owns,
  parseSegment,
  parseSegmentSequence,
  scaleInt,
  subSegment,
} from '../../../engine/options/segment.ts';

describe('durations', () => {
  it('parses k6 duration strings to milliseconds', () => {
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('2h'), 7_200_000);
  });

  it('reads a number as milliseconds', () => {
    assert.equal(parseDuration(250), 250);
  });

  it('rejects text that is not a duration, naming what was expected', () => {
    const r = parseDuration('ten seconds');
    assert.ok(typeof r === 'object' && /duration like "30s"/.test(r.error));
  });

  it('formats durations the way k6 prints them', () => {
    assert.equal(formatDuration(90_000), '1m30s');
    assert.equal(formatDuration(500), '500ms');
  });
});

describe('execution segments', () => {
  it('parses fractions, decimals and percentages', () => {
    assert.deepEqual(parseSegment('1/4:1/2'), { from: 0.25, to: 0.5 });
    assert.deepEqual(parseSegment('50%:100%'), { from: 0.5, to: 1 });
    assert.deepEqual(parseSegment('0.5'), { from: 0, to: 0.5 });
  });

  it('rejects a segment whose start is not before its end', () => {
    assert.ok('error' in parseSegment('1/2:1/4'));
  });

  it('requires the segment to be one of the sequence', () => {
    const seq = parseSegmentSequence('0,1/3,2/3,1') as number[];
    assert.equal(checkSegmentInSequence({ from: 1 / 3, to: 2 / 3 }, seq), null);
    assert.match(checkSegmentInSequence({ from: 0, to: 0.5 }, seq) ?? '', /not one of the segments/);
  });

  it('splits integers so that the parts add up exactly', () => {
    for (const n of [1, 7, 10, 100, 1001]) {
      const parts = [0, 1, 2].map((i) => scaleInt(n, subSegment({ from: 0, to: 1 }, i, 3)));
      assert.equal(
        parts.reduce((a, b) => a + b, 0),
        n,
      );
    }
  });

  it('gives every global index to exactly one segment', () => {
    const segs = [0, 1, 2, 3].map((i) => subSegment({ from: 0, to: 1 }, i, 4));
    for (let k = 0; k < 200; k++) assert.equal(segs.filter((s) => owns(s, k)).length, 1);
  });

  it('finds the i-th index a segment owns', () => {
    const seg = subSegment({ from: 0, to: 1 }, 1, 3);
    const owned = Array.from({ length: 60 }, (_, k) => k).filter((k) => owns(seg, k));
    owned.forEach((k, i) => assert.equal(nthOwned(seg, i), k));
  });
});

describe('options consolidation', () => {
  it('turns duration and vus into a constant-vus default scenario', () => {
    const { options, problems } = consolidate([{}, { vus: 5, duration: '10s' }]);
    assert.deepEqual(problems, []);
    assert.equal(options.scenarios[0]!.executor, 'constant-vus');
    assert.equal(options.scenarios[0]!.name, 'default');
  });

  it('turns iterations into shared-iterations and stages into ramping-vus', () => {
    assert.equal(consolidate([{ iterations: 10 }]).options.scenarios[0]!.executor, 'shared-iterations');
    assert.equal(
      consolidate([{ stages: [{ duration: '1s', target: 2 }] }]).options.scenarios[0]!.executor,
      'ramping-vus',
    );
  });

  it('runs one iteration of one VU when nothing is set', () => {
    const s = consolidate([{}]).options.scenarios[0] as unknown as { iterations: number; vus: number };
    assert.equal(s.iterations, 1);
    assert.equal(s.vus, 1);
  });

  it('lets a CLI shortcut replace the script scenarios, as k6 does', () => {
    const script = { scenarios: { a: { executor: 'constant-vus', vus: 1, duration: '1s' } } };
    const { options } = consolidate([{}, {}, script, {}, { duration: '5s' }]);
    assert.deepEqual(
      options.scenarios.map((s) => s.name),
      ['default'],
    );
  });

  it('keeps script scenarios over shortcuts of a lower level', () => {
    const { options } = consolidate([
      {},
      { duration: '5s' },
      { scenarios: { a: { executor: 'constant-vus', vus: 1, duration: '1s' } } },
    ]);
    assert.deepEqual(
      options.scenarios.map((s) => s.name),
      ['a'],
    );
  });

  it('applies k6 precedence: config file < script < env < flags', () => {
    const { options } = consolidate([
      {},
      { vus: 2, duration: '1s', thresholds: { checks: ['rate>0.5'] } },
      { vus: 3 },
      { vus: 4 },
      { vus: 5 },
    ]);
    assert.equal((options.scenarios[0] as unknown as { vus: number }).vus, 5);
    assert.deepEqual(options.thresholds, { checks: ['rate>0.5'] });
  });

  it('rejects duration and stages together', () => {
    const { problems } = consolidate([{ duration: '1s', stages: [{ duration: '1s', target: 1 }] }]);
    assert.ok(problems.some((p) => /simultaneously is not allowed/.test(p)));
  });

  it('reads K6_VUS, K6_DURATION and K6_STAGES from the environment', () => {
    const { layer } = envLayer({ K6_VUS: '3', K6_DURATION: '2s', K6_STAGES: '1s:2,2s:0' });
    assert.deepEqual(layer, {
      vus: 3,
      duration: '2s',
      stages: [
        { duration: '1s', target: 2 },
        { duration: '2s', target: 0 },
      ],
    });
  });

  it('parses --stage values and names a bad one', () => {
    assert.deepEqual(parseStages(['30s:10']), { stages: [{ duration: '30s', target: 10 }] });
    assert.match((parseStages(['30s']) as { error: string }).error, /--stage: expected "duration:target"/);
  });
});
