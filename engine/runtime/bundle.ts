/**
 * Loading a script: esbuild bundles it (load-script.ts, in the parent only) to one CommonJS
 * function body (its relative imports included, `k6` and `k6/*` left as `require` calls), and
 * each thread compiles that body once
 * with `vm.compileFunction` into a factory. One factory call = one VU's module instance.
 *
 * The factory's parameters are the VU's globals (`require`, `module`, `exports`, `__VU`, `__ENV`,
 * `open`, `console`), `__k6`, through which the runtime sets the VU's `__ITER` before each
 * iteration (a `let` declared in the prelude, on the first line so the source map stays aligned),
 * and the globals of globals.ts (k6's timers and crypto; Node's own globals shadowed as undefined).
 * The prelude also binds `Math` to the VU's own copy, so randomSeed() seeds one VU, as in k6.
 * Between bundling and compiling, transform/ rewrites k6's blocking calls inside async functions
 * into awaits (through `__k6.hold` / `__k6.twin`), so an async iteration runs at k6's pace.
 */
import vm from 'node:vm';
import { ScriptError } from '../errors.ts';
import { globalNames } from './globals.ts';
import { VU_GLOBALS } from './module-map.ts';
import type { BundledScript, ScriptFactory } from './script.ts';

const PARAMS = ['require', 'module', 'exports', '__VU', '__ENV', 'open', 'console', '__k6'];

/**
 * The wrapper's first line: strict mode (a k6 script is an ES module), the VU's `__ITER` and `Math`,
 * then the script itself inside a function of its own, so that its top-level declarations may
 * reuse the names of the wrapper's parameters (`const crypto = ...`). A script with top-level
 * `await` runs in an async function: its init context ends when that promise settles.
 */
function prelude(script: BundledScript): string {
  return (
    `"use strict"; let __ITER = 0; __k6.setIter = (n) => { __ITER = n; }; const Math = require('${VU_GLOBALS}').Math; ` +
    `return (${script.topLevelAwait ? 'async ' : ''}function () {`
  );
}
const EPILOGUE = '\n})();';

/** Characters the prelude puts before the bundle on its first line (stack-map.ts shifts them out). */
export function preludeLength(script: BundledScript): number {
  return prelude(script).length;
}

/** Compiles the bundle into a factory (once per thread). Its parameters: PARAMS, then the globals (globals.ts). */
export function compileScript(script: BundledScript): ScriptFactory {
  try {
    return vm.compileFunction(prelude(script) + script.code + EPILOGUE, [...PARAMS, ...globalNames()], {
      filename: script.path,
    }) as unknown as ScriptFactory;
  } catch (err) {
    throw new ScriptError(`cannot compile script ${script.path}: ${(err as Error).message}`, { cause: err });
  }
}
