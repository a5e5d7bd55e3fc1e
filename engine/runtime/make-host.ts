/** Builds a thread's VuHost: compiled script, module files, HTTP (async pools + blocking channel), logging. */
import type { Worker } from 'node:worker_threads';
import type { SampleSink } from '../metrics/api.ts';
import type { ExecutionMode } from '../modules/api.ts';
import type { EngineOptions } from '../options/consolidate.ts';
import { HttpTransport } from '../http/transport.ts';
import { warmHttp } from '../http/warm.ts';
import { WARM_STREAMS, warmSse } from '../modules/x/sse-warm.ts';
import type { WireRequest } from '../http/wire.ts';
import { compileScript } from './bundle.ts';
import type { BundledScript } from './script.ts';
import { formatLog, type HttpClient, type InstanceCounters, type VuHost } from './host.ts';
import type { Attach } from './io-thread.ts';
import type { InterruptSignal } from './interrupt.ts';
import { loadModules } from './module-map.ts';
import { SyncHttpChannel } from './sync-http.ts';
import { SecretsManager } from '../secrets/manager.ts';
import { SharedSecrets } from '../secrets/shared.ts';

export interface HostParams {
  script: BundledScript;
  options: EngineOptions;
  baseEnv: Record<string, string>;
  mode: ExecutionMode;
  sink: SampleSink;
  /** A channel to an existing I/O thread (sync-mode VU threads); otherwise one is started on first use. */
  attach?: Attach;
  abortTest(message: string): void;
  blockingWait?: (ms: number) => boolean;
  /** Where log lines go (default: this thread's stderr); workers relay them to the parent. */
  writeLine?: (line: string) => void;
  /** The run's shared secrets state (plan.ts): values fetched on any thread are redacted here too. */
  secretsShared?: SharedArrayBuffer;
  /**
   * The host's VUs run the test's iterations (a worker thread), so `k6/x/sse` is warmed for them
   * (x/sse-warm.ts); the options probe and VU 0 (setup, teardown) leave it cold.
   */
  runsIterations?: boolean;
}

export interface OwnedHost {
  host: VuHost;
  close(): Promise<void>;
}

export async function makeHost(p: HostParams): Promise<OwnedHost> {
  const factory = compileScript(p.script);
  const modules = await loadModules(p.script.k6Imports);
  let transport: HttpTransport | null = null;
  let channel: SyncHttpChannel | null = p.attach ? new SyncHttpChannel(p.attach) : null;
  let io: Worker | null = null;
  const opts = p.options.transport;
  let ioReady: Promise<void> = Promise.resolve();
  const sync = (): SyncHttpChannel => {
    if (!channel) ({ channel, io, ready: ioReady } = SyncHttpChannel.standalone(opts));
    return channel;
  };
  if (p.script.k6Imports.includes('k6/http')) {
    // Ready the HTTP client now, in init, not in the test's first request (http/warm.ts). Sync mode's
    // requests run on an I/O thread, which readies itself: the one of this thread is started now.
    if (p.mode === 'async') await warmHttp(opts);
    else if (!p.attach) {
      sync();
      await ioReady;
    }
  }
  // LLM streams are timed to the sub-millisecond: their client code is run through the JIT first
  // (x/sse-warm.ts; K6LP_SSE_WARM_STREAMS=0 turns that off, to measure what it changes).
  const sse = modules.get('k6/x/sse');
  const warmStreams = Number(process.env.K6LP_SSE_WARM_STREAMS ?? WARM_STREAMS);
  if (sse && p.runsIterations && p.mode === 'async' && warmStreams > 0) await warmSse(sse, warmStreams);
  const asyncTransport = (): HttpTransport => (transport ??= new HttpTransport(opts));
  const http: HttpClient = {
    request: (req: WireRequest, signal: InterruptSignal | null, vu: number) =>
      asyncTransport().request(req, signal ?? undefined, vu),
    requestThen: (req, signal, then, vu) => asyncTransport().requestThen(req, signal ?? undefined, then, vu),
    requestSync: (req: WireRequest) => sync().request(req),
    requestManySync: (reqs: WireRequest[]) => sync().requestMany(reqs),
    endIteration: (vu: number) => {
      transport?.endIteration(vu);
      channel?.endIteration();
    },
    closeVu: (vu: number) => transport?.closeVu(vu),
    openSocketSync: (url, params) => sync().openSocket(url, params),
  };
  const shared = p.secretsShared ? new SharedSecrets(p.secretsShared) : undefined;
  const secrets = SecretsManager.fromFlags(p.options.secretSources, p.baseEnv, process.cwd(), shared);
  const write = p.writeLine ?? ((line: string) => void process.stderr.write(line + '\n'));
  const writeLine = (line: string): void => write(secrets.redact(line));
  const instance: InstanceCounters = {
    vusActive: 0,
    vusInitialized: 0,
    iterationsCompleted: 0,
    iterationsInterrupted: 0,
    testStartEpoch: 0,
  };
  const host: VuHost = {
    mode: p.mode,
    sink: p.sink,
    options: p.options,
    baseEnv: p.baseEnv,
    script: p.script,
    factory,
    modules,
    http,
    instance,
    sharedArrays: new Map(),
    secrets,
    setupDataJson: '',
    blockingWait: p.blockingWait,
    abortTest: p.abortTest,
    log: (level, message, fields) => writeLine(formatLog(level, instance.testStartEpoch, message, fields)),
    writeLine,
  };
  return {
    host,
    async close() {
      await transport?.close();
      if (io) await (io as Worker).terminate();
    },
  };
}
