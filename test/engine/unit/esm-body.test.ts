/** engine/runtime/esm-body.ts: an esbuild ES module bundle (top-level await) as a function body. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { esmToBody } from '../../../engine/runtime/esm-body.ts';

const BUNDLE = [
  'import http from "k6/http";',
  'import * as k6 from "k6";',
  'import exec, { test as t } from "k6/execution";',
  'import "k6/x/sse";',
  '',
  'var v = await Promise.resolve(41);',
  'var options = { iterations: 1 };',
  'function main_default() {',
  '  return [http.name, k6.name, exec.name, t.name, v + 1];',
  '}',
  'export {',
  '  main_default as default,',
  '  options',
  '};',
  '//# sourceMappingURL=data:application/json;base64,e30=',
  '',
].join('\n');

async function evaluate(body: string): Promise<{ exports: Record<string, unknown>; required: string[] }> {
  const required: string[] = [];
  const require = (spec: string) => {
    required.push(spec);
    const mod = { name: spec };
    return { default: mod, test: { name: `${spec}#test` }, name: spec };
  };
  const module = { exports: {} as Record<string, unknown> };
  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
    ...args: string[]
  ) => (...a: unknown[]) => Promise<void>;
  await new AsyncFunction('require', 'module', body)(require, module);
  return { exports: module.exports, required };
}

describe('esmToBody', () => {
  it('turns every import form into a require and the export clause into getters on module.exports', async () => {
    const { exports, required } = await evaluate(esmToBody(BUNDLE));
    assert.deepEqual(required, ['k6/http', 'k6', 'k6/execution', 'k6/x/sse']);
    assert.deepEqual(Object.keys(exports).sort(), ['default', 'options']);
    assert.deepEqual(exports.options, { iterations: 1 });
    assert.deepEqual((exports.default as () => unknown[])(), [
      'k6/http',
      'k6',
      'k6/execution',
      'k6/execution#test',
      42,
    ]);
  });

  it('keeps every line where it was and the source map comment last', () => {
    const body = esmToBody(BUNDLE);
    const before = BUNDLE.split('\n');
    const after = body.split('\n');
    for (const line of ['var v = await Promise.resolve(41);', 'function main_default() {'])
      assert.equal(after.indexOf(line), before.indexOf(line));
    assert.match(body, /\n\/\/# sourceMappingURL=data:application\/json;base64,e30=\n$/);
  });

  it('refuses a re-export from another module, quoting it', () => {
    assert.throws(() => esmToBody('export * from "k6";\n'), /re-exports from another module .*export \* from "k6"/);
  });
});
