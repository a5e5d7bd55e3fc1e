import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { convertK6Json } from '../../report/index.ts';
import { fixtures } from './helpers.ts';

describe('convertK6Json sample counts', () => {
  it('counts the raw points of each metric and of each submetric key asked for, 0 for none', async () => {
    const { samples } = await convertK6Json(join(fixtures, 'k6-points.ndjson'), [
      'http_req_duration{name:chat}',
      'never_touched',
      'checks',
    ]);
    assert.equal(samples.version, 1);
    assert.equal(samples.source, 'k6-points');
    assert.equal(samples.counts.http_req_duration, 30);
    assert.equal(samples.counts['http_req_duration{name:chat}'], 21);
    assert.equal(samples.counts.checks, 30);
    assert.equal(samples.counts.never_touched, 0);
  });
});
