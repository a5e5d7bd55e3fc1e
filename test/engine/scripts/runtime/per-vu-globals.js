// Per-VU state (docs/engine.md, "One difference from k6 in the script's globals"): module-level
// variables are per VU under k6 and under the engine in both modes; properties of the global
// object are per VU under k6 and in the engine's sync mode, shared by a thread's VUs in async mode.
import exec from 'k6/execution';

let moduleInits = 0;
moduleInits++;
globalThis.globalInits = (globalThis.globalInits || 0) + 1;

export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 2, iterations: 1 } } };

export default function () {
  globalThis.lastVu = exec.vu.idInTest;
  console.log(`VU ${exec.vu.idInTest}: moduleInits=${moduleInits} globalInits=${globalInits} lastVu=${lastVu}`);
}
