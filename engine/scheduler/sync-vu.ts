/**
 * A sync-mode VU thread: one VU whose blocking calls (http.get, sleep) really block this thread
 * (Atomics.wait), as in k6. Iterations come from its worker; metrics go back about every second.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SampleBuffer } from './sample-buffer.ts';
import type { ScenarioRun } from '../executors/context.ts';
import { makeHost } from '../runtime/make-host.ts';
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

/** Blocks until `ms` passed (true) or this iteration is interrupted (false). */
function blockingWait(ms: number): boolean {
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
  const metrics = new SampleBuffer();
  const owned = await makeHost({
    script: d.script,
    options: d.options,
    baseEnv: d.baseEnv,
    mode: 'sync',
    sink: metrics,
    attach: d.attach,
    blockingWait,
    abortTest: (message) => send({ type: 'abort', message }),
    writeLine: (line) => send({ type: 'log', line }),
  });
  const host = owned.host;
  host.setupDataJson = d.setupDataJson;
  host.instance.testStartEpoch = d.startEpoch;
  process.on('unhandledRejection', (err) => host.log('ERRO', `Uncaught (in promise) ${describe(err)}`, { source: 'stacktrace' }));
  const vu = new Vu(d.idInInstance, d.idInTest, host);
  vu.init();
  send({ type: 'ready' });
  const scenarios = new Map<string, ScenarioRun>();
  port.on('message', (msg: ToSyncVu) => {
    switch (msg.type) {
      case 'setup':
        host.setupDataJson = msg.json;
        host.instance.testStartEpoch = msg.startEpoch;
        return;
      case 'iterate': {
        if (msg.config) scenarios.set(msg.scenario, newScenarioRun(msg.config));
        const scn = scenarios.get(msg.scenario)!;
        scn.startEpochMs = msg.startEpochMs;
        scn.progress = () => msg.progress;
        seq = msg.seq;
        void vu.iterate(scn, msg.local, msg.global).then((outcome) => {
          send({ type: 'iterated', seq: msg.seq, outcome, samples: metrics.take() });
        });
        return;
      }
      case 'flush':
        send({ type: 'samples', samples: metrics.take(), final: true });
        return;
      case 'close':
        void vu.close().then(() => owned.close()).then(() => send({ type: 'closed' }));
        return;
    }
  });
}

main().catch((err) => send({ type: 'fatal', message: describe(err) }));
