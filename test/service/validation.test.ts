import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  firstDuplicateIndex,
  isUuid,
  validateBatch,
  validateItem,
  type RequestItem,
} from '../../service/validation.ts';

describe('validateItem', () => {
  it('turns a prompt into one user message and applies the mode default for max_tokens', () => {
    const r = validateItem({ prompt: 'hi', mode: 'detailed' }, '', 'model-x');
    assert.ok(r.ok);
    assert.deepEqual(r.value, {
      clientRequestId: null,
      messages: [{ role: 'user', content: 'hi' }],
      model: 'model-x',
      maxTokens: 1024,
      mode: 'detailed',
    });
  });

  it('keeps the given model, max_tokens and client_request_id', () => {
    const r = validateItem(
      {
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: 'b' },
        ],
        mode: 'quick',
        model: 'm',
        max_tokens: 7,
        client_request_id: 'c',
      },
      '',
      'd',
    );
    assert.ok(r.ok);
    assert.equal(r.value.model, 'm');
    assert.equal(r.value.maxTokens, 7);
    assert.equal(r.value.clientRequestId, 'c');
  });

  it('reports every problem at once, each with its JSON path', () => {
    const r = validateItem({ messages: [{ role: 'x', content: 1 }], mode: 'slow', max_tokens: 0 }, 'requests[2]', 'd');
    assert.ok(!r.ok);
    assert.deepEqual(
      r.problems.map((p) => p.field),
      ['requests[2].messages[0].role', 'requests[2].messages[0].content', 'requests[2].max_tokens', 'requests[2].mode'],
    );
  });
});

describe('validateBatch', () => {
  it('refuses an empty list naming requests', () => {
    const r = validateBatch({ requests: [] }, 5, 'd');
    assert.ok(!r.ok);
    assert.equal(r.problems[0]!.field, 'requests');
  });

  it('refuses a list over the maximum naming requests', () => {
    const r = validateBatch({ requests: Array(3).fill({ prompt: 'x', mode: 'quick' }) }, 2, 'd');
    assert.ok(!r.ok);
    assert.match(r.problems[0]!.message, /1\.\.2/);
  });
});

describe('firstDuplicateIndex', () => {
  const it_ = (id: string | null): RequestItem => ({
    clientRequestId: id,
    messages: [],
    model: 'm',
    maxTokens: 1,
    mode: 'quick',
  });
  it('returns the index of the second occurrence and ignores items without an id', () => {
    assert.equal(firstDuplicateIndex([it_(null), it_('a'), it_(null), it_('b'), it_('a')]), 4);
    assert.equal(firstDuplicateIndex([it_(null), it_(null)]), -1);
  });
});

describe('isUuid', () => {
  it('accepts a UUID and refuses anything else', () => {
    assert.ok(isUuid('3f2a1b4c-0d9e-4f8a-9b7c-6d5e4f3a2b1c'));
    assert.ok(!isUuid('3f2a1b4c0d9e4f8a9b7c6d5e4f3a2b1c'));
    assert.ok(!isUuid("1' OR 1=1"));
  });
});
