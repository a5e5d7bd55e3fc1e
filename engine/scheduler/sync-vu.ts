/**
 * A sync-mode VU thread: one VU whose blocking calls (http.get, sleep) really block this thread
 * (Atomics.wait), as in k6. Its worker either sends one iteration at a time ('iterate': arrival
 * rates, ramp-down) and gets its samples back with the outcome, or hands it a whole loop ('loop':
 * the VU-based executors), whose outcomes and samples go back in batches about every BATCH_MS.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SampleBuffer } from './sample-buffer.ts';
import type { ScenarioRun } from '../executors/context.ts';
import { claimIn } from '../executors/helpers.ts';
import { nthOwned } from '../options/segment.ts';
import { makeHost } from '../runtime/make-host.ts';
import { scriptStack } from '../runtime/stack-map.ts';
import { describe, Vu } from '../runtime/vu.ts';
import { newScenarioRun } from './run-scenarios.ts';
import { adoptPaths, type ThreadPaths } from '../runtime/threads.ts';
import type { FromSyncVu, SyncVuInit, ToSyncVu } from './sync-vu-protocol.ts';

const d = workerData as SyncVuInit & { paths?: ThreadPaths };
adoptPaths(d.paths);
const port = parentPort!;
const send = (msg: FromSyncVu) => port.postMessage(msg);
const ctrl = new Int32Array(d.ctrl);
let seq = 0;
/** Set once this VU called exec.test.abort(): its loop starts no more iterations. */
let aborting = false;
/** How often a loop reports its outcomes and samples to the worker (ms), and lets this thread's event loop run. */
const BATCH_MS = 100;
/** How often samples added during an iteration go to the worker, at the latest (see SampleBuffer.sendEvery). */
const SAMPLES_MS = 250;

/** This VU's samples (and the ones blockingWait sends before it blocks). */
const metrics = new SampleBuffer();

/** Whether the worker interrupted the running iteration or loop. */
function interrupted(): boolean {
  return seq !== 0 && Atomics.load(ctrl, 0) === seq;
}

/** Blocks until `ms` passed (true) or this iteration is interrupted (false). */
function blockingWait(ms: number): boolean {
  metrics.beforeWait(ms);
  const end = performance.now() + ms;
  for (;;) {
    const seen = Atomics.load(ctrl, 0);
    if (seen === seq && seq !== 0) return false;
    const left = end - performance.now();
    if (left <= 0) return true;
    Atomics.wait(ctrl, 0, seen, left);
  }
}

async function main(): Promise<void> {
  // A long iteration's samples go out during it (abortOnFail sees them within its ~2 s, as in k6).
  metrics.sendEvery(SAMPLES_MS, (samples) => send({ type: 'samples', samples, final: false }));
  const owned = await makeHost({
    script: d.script,
    options: d.options,
    baseEnv: d.baseEnv,
    mode: 'sync',
    sink: metrics,
    attach: d.attach,
    blockingWait,
    abortTest: (message) => {
      aborting = true;
      send({ type: 'abort', message });
    },
    writeLine: (line) => send({ type: 'log', line }),
    secretsShared: d.secretsShared,
  });
  const host = owned.host;
  host.setupDataJson = d.setupDataJson;
  host.instance.testStartEpoch = d.startEpoch;
  process.on('unhandledRejection', (err) =>
    host.log('ERRO', `Uncaught (in promise) ${scriptStack(err, host.script)}`, { source: 'stacktrace' }),
  );
  const vu = new Vu(d.idInInstance, d.idInTest, host);
  vu.state.interruptedFromOutside = interrupted;
  await vu.init();
  send({ type: 'ready' });
  const scenarios = new Map<string, ScenarioRun>();
  const scenarioOf = (msg: { scenario: string; config?: ScenarioRun['config']; startEpochMs: number }): ScenarioRun => {
    if (msg.config) scenarios.set(msg.scenario, newScenarioRun(msg.config));
    const scn = scenarios.get(msg.scenario)!;
    scn.startEpochMs = msg.startEpochMs;
    return scn;
  };
  port.on('message', (msg: ToSyncVu) => {
    switch (msg.type) {
      case 'setup':
        host.setupDataJson = msg.json;
        host.instance.testStartEpoch = msg.startEpoch;
        return;
      case 'iterate': {
        const scn = scenarioOf(msg);
        scn.progress = () => msg.progress;
        seq = msg.seq;
        void vu.iterate(scn, msg.local, msg.global).then((outcome) => {
          send({ type: 'iterated', seq: msg.seq, outcome, samples: metrics.take() });
        });
        return;
      }
      case 'loop':
        seq = msg.seq;
        void runLoop(vu, scenarioOf(msg), msg, metrics).catch((err) =>
          host.log('ERRO', describe(err), { source: 'stacktrace' }),
        );
        return;
      case 'flush':
        send({ type: 'samples', samples: metrics.take(), final: true });
        return;
      case 'close':
        void vu
          .close()
          .then(() => owned.close())
          .then(() => send({ type: 'closed' }));
        return;
    }
  });
}

/** Runs iterations back to back until the plan ends or the worker interrupts; reports in batches. */
async function runLoop(
  vu: Vu,
  scn: ScenarioRun,
  msg: Extract<ToSyncVu, { type: 'loop' }>,
  metrics: SampleBuffer,
): Promise<void> {
  const { plan } = msg;
  const counter = new Int32Array(msg.counter);
  const epochNow = () => performance.timeOrigin + performance.now();
  const p = plan.progress;
  scn.progress =
    'total' in p
      ? () => Math.min(1, Atomics.load(counter, 0) / p.total)
      : () => Math.min(1, Math.max(0, (epochNow() - scn.startEpochMs) / Math.max(1, p.endEpoch - scn.startEpochMs)));
  let completed = 0;
  let interruptedCount = 0;
  let ran = 0;
  let lastBatch = performance.now();
  try {
    while (ran < plan.maxIterations && !interrupted() && !aborting && epochNow() < plan.untilEpoch) {
      const local = claimIn(counter, plan.sharedLimit);
      if (local < 0) break;
      const outcome = await vu.iterate(scn, local, nthOwned(plan.segment, local));
      ran++;
      if (outcome === 'interrupted') interruptedCount++;
      else completed++;
      if (performance.now() - lastBatch >= BATCH_MS) {
        send({
          type: 'counted',
          seq: msg.seq,
          completed,
          interrupted: interruptedCount,
          samples: metrics.take(),
          done: false,
        });
        completed = interruptedCount = 0;
        // A turn of this thread's event loop: timers and messages of a script that never awaits.
        await new Promise((resolve) => setImmediate(resolve));
        lastBatch = performance.now();
      }
    }
  } finally {
    send({
      type: 'counted',
      seq: msg.seq,
      completed,
      interrupted: interruptedCount,
      samples: metrics.take(),
      done: true,
    });
  }
}

main().catch((err) => send({ type: 'fatal', message: describe(err) }));
