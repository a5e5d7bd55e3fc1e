/**
 * Arrival-rate accuracy: constant-arrival-rate 1000/s for 20 s against a node:http server in its
 * own process. The anchor is the target rate itself.
 *   node --import tsx bench/arrival-accuracy.ts [--rate 1000] [--seconds 20]
 * Prints achieved ÷ target (goal 0.99–1.01), dropped iterations (goal 0) and the p50/p99 start lag:
 * how late each iteration started after its scheduled time (scenario start + k / rate), measured
 * by the script itself from exec.scenario.startTime and exec.scenario.iterationInTest.
 */
import { parseArgs } from 'node:util';
import { onExit, runQuiet, Scripts, startServerProcess } from './engine-bench-lib.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    workers: { type: 'string' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);

const SCRIPT = `import http from 'k6/http';
import exec from 'k6/execution';
import { Trend } from 'k6/metrics';
const lag = new Trend('start_lag', true);
const RATE = ${rate};
export const options = {
  discardResponseBodies: true,
  scenarios: { open: { executor: 'constant-arrival-rate', rate: RATE, timeUnit: '1s', duration: '${seconds}s', preAllocatedVUs: 100, maxVUs: 400 } },
  summaryTrendStats: ['avg', 'med', 'p(99)', 'max'],
};
export default async function () {
  const due = exec.scenario.startTime + (exec.scenario.iterationInTest * 1000) / RATE;
  lag.add(Math.max(0, Date.now() - due));
  await http.asyncRequest('GET', __ENV.URL);
}
`;

const server = await startServerProcess();
const scripts = new Scripts();
onExit(async () => {
  await server.close();
  scripts.dispose();
});
try {
  console.log(`arrival-accuracy: constant-arrival-rate ${rate}/s for ${seconds} s`);
  const r = await runQuiet({
    script: scripts.write('arrival.js', SCRIPT),
    env: { URL: server.url },
    workers: values.workers ? Number(values.workers) : undefined,
  });
  if (r.exitCode !== 0) throw new Error(`engine exited ${r.exitCode}: ${r.stderr.slice(0, 2000)}`);
  const started = r.values('iterations').count ?? 0;
  const dropped = r.values('dropped_iterations').count ?? 0;
  const lag = r.values('start_lag');
  const target = rate * seconds;
  console.log(
    `  iterations ${started} of ${target} scheduled, dropped ${dropped}, failed requests ${r.values('http_req_failed').passes ?? 0}`,
  );
  console.log(`achieved / target: ${(started / target).toFixed(4)} (goal 0.99-1.01)`);
  console.log(`dropped iterations: ${dropped} (goal 0)`);
  console.log(
    `start lag: p50 ${lag.med?.toFixed(2)} ms, p99 ${lag['p(99)']?.toFixed(2)} ms, max ${lag.max?.toFixed(2)} ms`,
  );
} finally {
  await server.close();
  scripts.dispose();
}
