/** The API's JSON body parser: depth bound, `__proto__` keys named by path, error codes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BodyParseError, MAX_BODY_DEPTH, parseJsonBody, tooDeepAt } from '../../service/json-body.ts';

const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

function refusal(text: string): BodyParseError {
  try {
    parseJsonBody(text);
  } catch (err) {
    assert.ok(err instanceof BodyParseError, String(err));
    assert.equal(err.statusCode, 400);
    return err;
  }
  assert.fail(`accepted ${text.slice(0, 80)}`);
}

describe('parseJsonBody', () => {
  it('parses a plain body', () => {
    assert.deepEqual(parseJsonBody('{"prompt":"x","mode":"quick"}'), { prompt: 'x', mode: 'quick' });
  });

  it('refuses empty and malformed bodies with TARGET_BAD_JSON naming body', () => {
    assert.deepEqual([refusal('').code, refusal('').field], ['TARGET_BAD_JSON', 'body']);
    assert.match(refusal('{"a":').message, /^body: expected a JSON body \(/);
  });

  it(`refuses nesting past ${MAX_BODY_DEPTH} levels with TARGET_TOO_DEEP and accepts it up to there`, () => {
    assert.equal(refusal(nested(MAX_BODY_DEPTH + 1)).code, 'TARGET_TOO_DEEP');
    assert.deepEqual(parseJsonBody(`{"a":${nested(MAX_BODY_DEPTH - 1)}}`), {
      a: JSON.parse(nested(MAX_BODY_DEPTH - 1)),
    });
  });

  it('names the path of a __proto__ key, spelled plainly or with JSON escapes', () => {
    const e = refusal('{"requests":[{"prompt":"a"},{"messages":[{"role":"user"},{"\\u005f\\u005fproto__":1}]}]}');
    assert.equal(e.code, 'TARGET_FORBIDDEN_KEY');
    assert.equal(e.field, 'requests[1].messages[1].__proto__');
    assert.equal(e.message, 'requests[1].messages[1].__proto__: `__proto__` is not an allowed key');
    assert.equal(refusal('{"a":{"b":1},"__proto__":2}').field, '__proto__');
  });

  it('lets "__proto__" through as a string value', () => {
    assert.deepEqual(parseJsonBody('{"prompt":"__proto__", "x": ["__proto__"]}'), {
      prompt: '__proto__',
      x: ['__proto__'],
    });
  });
});

describe('tooDeepAt', () => {
  it('skips brackets inside strings, escaped quotes and trailing escaped backslashes included', () => {
    assert.equal(tooDeepAt(JSON.stringify({ a: '[[[["{{{{', b: 'x\\' }), 1), -1);
    const text = JSON.stringify({ a: 'ends in \\', b: [[[]]] });
    assert.equal(tooDeepAt(text, 4), -1);
    assert.equal(tooDeepAt(text, 3), text.indexOf('[[[') + 2);
  });
});
