/**
 * `npm run setup:llama [-- --jobs N]`: installs llama-server (built from the llama-cpp-python
 * sdist's vendored llama.cpp) and the tiny GGUF model for the real-server E2E
 * (infra/llama/setup.ts). Idempotent; prints each step's time. CI does not run it (the build
 * takes minutes): test/scenarios/llm-e2e.test.ts skips when it has not run.
 */
import { llamaModelPath, llamaServerBinary, setupLlama } from '../infra/llama/index.ts';
import { messageOf } from '../run/errors.ts';

const at = process.argv.indexOf('--jobs');
const jobs = at > 0 ? Number(process.argv[at + 1]) : 2;
if (!Number.isInteger(jobs) || jobs < 1) {
  console.error(`setup:llama: --jobs must be a positive integer, got ${JSON.stringify(process.argv[at + 1])}`);
  process.exit(2);
}
const t0 = performance.now();
try {
  const steps = await setupLlama({ jobs, say: (l) => console.log(l) });
  for (const s of steps) console.log(`  ${s.step.padEnd(6)} ${s.ran ? `${(s.ms / 1000).toFixed(1)} s` : 'present'}`);
  console.log(`setup:llama: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`  binary ${llamaServerBinary()}\n  model  ${llamaModelPath()}`);
} catch (err) {
  console.error(messageOf(err));
  process.exit(1);
}
