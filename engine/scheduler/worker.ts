/**
 * A worker thread: runs its segment of every scenario. In async mode its VUs live here and share
 * this event loop; in sync mode each VU is a thread of its own (remote-pool.ts) and this thread
 * schedules them. Metrics snapshots go to the parent every second and at the end.
 */
import { setMaxListeners } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import { WorkerMetrics, transferables } from '../metrics/index.ts';
import type { MetricsSnapshot } from '../metrics/api.ts';
import type { ScenarioRun } from '../executors/context.ts';
import { KitError } from '../exit-codes.ts';
import { makeHost } from '../runtime/make-host.ts';
import { scriptStack } from '../runtime/stack-map.ts';
import { describe } from '../runtime/vu.ts';
import { LocalVuPool, type VuIds } from './local-pool.ts';
import { adoptPaths, type ThreadPaths } from '../runtime/threads.ts';
import { RemoteVuPool } from './remote-pool.ts';
import type { FromWorker, Progress, ToWorker, WorkerInit } from './protocol.ts';
import { newScenarioRun, runScenarios, scenarioProgress } from './run-scenarios.ts';
import { scenarioSegment } from '../executors/index.ts';

const init = workerData as WorkerInit & { ids: VuIds; paths?: ThreadPaths };
adoptPaths(init.paths);
const port = parentPort!;

/**
 * Console lines wait up to LOG_FLUSH_MS (or LOG_FLUSH_LINES lines) and go to the parent together:
 * a line per request (the LLM scenario's request log) otherwise wakes the parent thread, and
 * through its stderr the orchestrator, once per request, each wake taking a core from the VUs and
 * the server on a small machine. Every other message flushes them first, so the order holds.
 */
const LOG_FLUSH_MS = 50;
const LOG_FLUSH_LINES = 256;
let pendingLines: string[] = [];
let logTimer: NodeJS.Timeout | null = null;
function flushLines(): void {
  if (logTimer !== null) {
    clearTimeout(logTimer);
    logTimer = null;
  }
  if (pendingLines.length === 0) return;
  const lines = pendingLines;
  pendingLines = [];
  port.postMessage({ type: 'log', lines } satisfies FromWorker);
}
function writeLine(line: string): void {
  pendingLines.push(line);
  if (pendingLines.length >= LOG_FLUSH_LINES) flushLines();
  else logTimer ??= setTimeout(flushLines, LOG_FLUSH_MS);
}
// A thread dying of an uncaught exception still hands over the lines it wrote before.
process.on('uncaughtExceptionMonitor', flushLines);
const send = (msg: FromWorker) => {
  flushLines();
  // Metrics move their Trend values' buffers instead of copying them.
  port.postMessage(msg, 'snapshots' in msg ? transferables(msg.snapshots) : []);
};

function fatal(err: unknown): void {
  const k = err instanceof KitError ? err : null;
  send({
    type: 'fatal',
    code: k?.code ?? 'E_ENGINE_WORKER',
    message: k ? k.message : describe(err),
    exitCode: k?.exitCode ?? 107,
  });
}

async function main(): Promise<void> {
  const metrics = new WorkerMetrics({ submetrics: init.selectors, startTime: init.metricsEpoch });
  const stop = new AbortController();
  // Every VU loop and arrival wait listens on it at once: more than Node's default of 10 is normal here.
  setMaxListeners(0, stop.signal);
  let aborted = false;
  const abortTest = (message: string) => {
    if (aborted) return;
    aborted = true;
    send({ type: 'abort', message });
    stop.abort();
  };
  const owned = await makeHost({
    script: init.script,
    options: init.options,
    baseEnv: init.baseEnv,
    mode: init.mode,
    sink: metrics,
    abortTest,
    writeLine,
    secretsShared: init.secretsShared,
    runsIterations: true,
  });
  const host = owned.host;
  process.on('unhandledRejection', (err) =>
    host.log('ERRO', `Uncaught (in promise) ${scriptStack(err, host.script)}`, { source: 'stacktrace' }),
  );
  const pool = init.mode === 'async' ? new LocalVuPool(host, init.ids) : new RemoteVuPool(init, init.ids, host);
  await pool.preload(init.plannedVus);
  send({ type: 'ready', vus: pool.size });

  const runs = new Map<string, ScenarioRun>(init.options.scenarios.map((c) => [c.name, newScenarioRun(c)]));
  const progress = (): Progress => ({
    vusActive: pool.active,
    vusMax: pool.size,
    scenarios: Object.fromEntries([...runs].map(([name, s]) => [name, scenarioProgress(s)])),
  });
  const snapshots = (): MetricsSnapshot[] => [metrics.flush(), ...pool.drainSnapshots()];
  const warned = new Set<string>();

  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'stop') stop.abort();
    if (msg.type === 'finish') {
      void pool
        .closeAll()
        .then(() => owned.close())
        .then(() => send({ type: 'closed' }));
    }
    if (msg.type !== 'start') return;
    host.setupDataJson = msg.setupDataJson;
    host.instance.testStartEpoch = msg.startAtEpoch;
    pool.setSetupData?.(msg.setupDataJson, msg.startAtEpoch);
    const originPerf = performance.now() + (msg.startAtEpoch - Date.now());
    const timer = setInterval(() => send({ type: 'metrics', snapshots: snapshots(), progress: progress() }), 1000);
    // An early report so that the parent's vus gauge and progress line start right away.
    setTimeout(
      () => send({ type: 'metrics', snapshots: [], progress: progress() }),
      Math.max(0, msg.startAtEpoch - Date.now()) + 100,
    ).unref();
    const onDropped = (scn: ScenarioRun, atMax: number | null) => {
      metrics.add('dropped_iterations', 1, { ...init.options.tags, ...scn.config.tags, scenario: scn.config.name });
      if (atMax !== null && !warned.has(scn.config.name)) {
        warned.add(scn.config.name);
        send({ type: 'dropped', scenario: scn.config.name, executor: scn.config.executor, vus: atMax });
      }
    };
    runScenarios(
      {
        configs: init.options.scenarios,
        segmentOf: (c) => scenarioSegment(c, init.processSegment, init.index, init.workers),
        vus: pool,
        originPerf,
        originEpoch: msg.startAtEpoch,
        stop: stop.signal,
        onDropped,
      },
      runs,
    )
      .then(async () => {
        clearInterval(timer);
        await pool.flushAll();
        for (const s of runs.values()) {
          host.instance.iterationsCompleted += s.iterationsCompleted;
          host.instance.iterationsInterrupted += s.iterationsInterrupted;
        }
        send({ type: 'done', snapshots: snapshots(), progress: progress() });
      })
      .catch((err) => {
        clearInterval(timer);
        fatal(err);
      });
  });
}

main().catch(fatal);
