/**
 * What the VUs of one thread share: the script, its modules, the metrics sink, the HTTP client,
 * the options, counters read by k6/execution, and how to stop the test.
 */
import type { SampleSink } from '../metrics/api.ts';
import type { ExecutionMode, ModuleFactory } from '../modules/api.ts';
import type { EngineOptions } from '../options/consolidate.ts';
import type { WireRequest, WireResponse } from '../http/wire.ts';
import type { BundledScript, ScriptFactory } from './script.ts';
import type { InterruptSignal } from './interrupt.ts';
import type { SocketLink } from './sync-http.ts';
import type { Params } from '../modules/ws-dial.ts';
import type { SecretsManager } from '../secrets/manager.ts';

/** The HTTP side k6/http talks to: promises on this thread's pools, or blocking calls served by an I/O thread. */
export interface HttpClient {
  /** `vu`: the VU's idInInstance (HTTP/2 sessions are per VU). */
  request(req: WireRequest, signal: InterruptSignal | null, vu: number): Promise<WireResponse>;
  /** `request(req, signal, vu).then(then)` in one promise (the async fast path). */
  requestThen<T>(
    req: WireRequest,
    signal: InterruptSignal | null,
    then: (res: WireResponse) => T | PromiseLike<T>,
    vu: number,
  ): Promise<T>;
  /** Blocks this thread until the I/O thread answers. */
  requestSync(req: WireRequest, vuSlot: number): WireResponse;
  requestManySync(reqs: WireRequest[], vuSlot: number): WireResponse[];
  /** The VU's iteration ended (called only with `noVUConnectionReuse`): close the connections it used, both sides. */
  endIteration(vu: number): void;
  /** The VU ended: close its HTTP/2 sessions (async mode; the I/O thread of sync mode closes them with itself). */
  closeVu(vu: number): void;
  /** A k6/ws socket dialled on the I/O thread, for a connect that blocks this thread (sync mode). */
  openSocketSync(url: string, params: Params): SocketLink;
}

/** k6/execution `instance.*` (this thread's view). */
export interface InstanceCounters {
  vusActive: number;
  vusInitialized: number;
  iterationsCompleted: number;
  iterationsInterrupted: number;
  /** Epoch ms of the test start (0 before it starts). */
  testStartEpoch: number;
}

export interface VuHost {
  readonly mode: ExecutionMode;
  readonly sink: SampleSink;
  readonly options: EngineOptions;
  readonly baseEnv: Readonly<Record<string, string>>;
  readonly script: BundledScript;
  readonly factory: ScriptFactory;
  readonly modules: ReadonlyMap<string, ModuleFactory>;
  readonly http: HttpClient;
  readonly instance: InstanceCounters;
  /** SharedArray data by name, built once per thread. */
  readonly sharedArrays: Map<string, unknown>;
  /** k6/secrets: the `--secret-source` sources of this thread; redacts what it handed out from log lines. */
  readonly secrets: SecretsManager;
  /** setup()'s return value as JSON ('' when setup returned nothing). */
  setupDataJson: string;
  /** Blocks the thread (sync mode) until `ms` passed or the VU is interrupted; returns false when interrupted. */
  blockingWait?: (ms: number) => boolean;
  /** `exec.test.abort()`: stops the whole test (exit 108). */
  abortTest(message: string): void;
  /** Writes a finished log line (relayed to the parent's stderr). */
  writeLine(line: string): void;
  /** Prints a line on stderr with k6's log prefix. */
  log(level: 'INFO' | 'WARN' | 'ERRO' | 'DEBU', message: string, fields?: Record<string, string>): void;
}

/** k6's log line: `INFO[0003] message  key=value`. */
export function formatLog(level: string, startEpoch: number, message: string, fields?: Record<string, string>): string {
  const secs = startEpoch ? Math.max(0, Math.floor((Date.now() - startEpoch) / 1000)) : 0;
  const extra = fields
    ? Object.entries(fields)
        .map(([k, v]) => ` ${k}=${v}`)
        .join('')
    : '';
  return `${level}[${String(secs).padStart(4, '0')}] ${message}${extra ? ` ${extra}` : ''}`;
}
