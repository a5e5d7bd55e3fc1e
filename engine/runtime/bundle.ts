/**
 * Loading a script: esbuild bundles it (load-script.ts, in the parent only) to one CommonJS
 * function body (its relative imports included, `k6` and `k6/*` left as `require` calls), and
 * each thread compiles that body once
 * with `vm.compileFunction` into a factory. One factory call = one VU's module instance.
 *
 * The factory's parameters are the VU's globals (`require`, `module`, `exports`, `__VU`, `__ENV`,
 * `open`, `console`) and `__k6`, through which the runtime sets the VU's `__ITER` before each
 * iteration (a `let` declared in the prelude, on the first line so the source map stays aligned).
 * The prelude also binds `Math` to the VU's own copy, so randomSeed() seeds one VU, as in k6.
 * Between bundling and compiling, transform/ rewrites k6's blocking calls inside async functions
 * into awaits (through `__k6.hold` / `__k6.twin`), so an async iteration runs at k6's pace.
 */
import vm from 'node:vm';
import { ScriptError } from '../errors.ts';
import { VU_GLOBALS } from './module-map.ts';
import type { BundledScript, ScriptFactory } from './script.ts';

const PARAMS = ['require', 'module', 'exports', '__VU', '__ENV', 'open', 'console', '__k6'];
const PRELUDE = `let __ITER = 0; __k6.setIter = (n) => { __ITER = n; }; const Math = require('${VU_GLOBALS}').Math;`;
/** Characters the prelude puts before the bundle on its first line (stack-map.ts shifts them out). */
export const PRELUDE_LENGTH = PRELUDE.length;

/** Compiles the bundle into a factory (once per thread). */
export function compileScript(script: BundledScript): ScriptFactory {
  try {
    return vm.compileFunction(PRELUDE + script.code, PARAMS, { filename: script.path }) as unknown as ScriptFactory;
  } catch (err) {
    throw new ScriptError(`cannot compile script ${script.path}: ${(err as Error).message}`, { cause: err });
  }
}
