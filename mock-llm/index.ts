/**
 * The mock LLM provider stub: Anthropic Messages and OpenAI Chat Completions on
 * node:http, seeded, with a latency model, error simulation (off in performance
 * mode) and an admin API. `startMockLlm()` is the room's one entry.
 */
import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExitCode, KitError } from '../engine/exit-codes.ts';
import { Admission } from './admission.ts';
import type { AdminTarget } from './admin.ts';
import { resolveConfig, type MockLlmConfig, type MockLlmConfigPatch } from './config.ts';
import type { GenerateContext, Job } from './generate.ts';
import { Planner } from './plan.ts';
import { LlmMetrics } from './prometheus.ts';
import { createPreciseClock } from './precise-clock.ts';
import { Scheduler, realClock } from './scheduler.ts';
import { createHandler, type ServerState } from './server.ts';
import { StatsCollector, type Stats } from './stats.ts';

export type {
  Distribution,
  ErrorsConfig,
  LatencyConfig,
  MockLlmConfig,
  MockLlmConfigPatch,
  OutputConfig,
  ErrorKind,
} from './config.ts';
export { defaultConfig, MockLlmConfigError, resolveConfig, validateConfig } from './config.ts';
export type { Stats } from './stats.ts';

export interface MockLlmOptions {
  /** 0 (default) = an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 42. */
  seed?: number;
  /** Turns every simulated error off. */
  performanceMode?: boolean;
  /** A (partial) config merged onto the defaults, or the path of a JSON file holding one. */
  config?: MockLlmConfig | MockLlmConfigPatch | string;
  /** Appends one JSON line per finished generation (time, route, outcome, ms, tokens). */
  logFile?: string;
  /**
   * Token timers (precise-clock.ts): 'precise' fire within about 0.1 ms of their due time through
   * a helper thread, at twice setTimeout's CPU; 'node' is setTimeout (about 1 ms early to 0.5 ms
   * late); 'auto' (default) is precise while fewer than 500 timers a second are armed, else node.
   */
  timers?: 'auto' | 'precise' | 'node';
}

export interface MockLlm {
  /** http://HOST:PORT, no trailing slash. */
  url: string;
  port: number;
  stats(): Stats;
  /** Zeroes the counters and the per-request occurrence table (fault/latency draws start over). */
  reset(): void;
  /** Closes every connection, hung request and pending timer; resolves when the port is free. */
  stop(): Promise<void>;
}

/** Opens the log file now, so a bad path fails the start (exit 104) instead of a later write. */
function openLog(path: string): WriteStream {
  let fd: number;
  try {
    fd = openSync(path, 'a');
  } catch (err) {
    throw new KitError(
      'MOCK_LLM_BAD_LOG_FILE',
      `logFile ${path}: cannot open for appending (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      ExitCode.INVALID_CONFIG,
    );
  }
  const stream = createWriteStream(path, { fd });
  stream.on('error', (err) => console.error(`mock-llm: writing ${path} failed, logging stops: ${err.message}`));
  return stream;
}

export async function startMockLlm(options: MockLlmOptions = {}): Promise<MockLlm> {
  let config = resolveConfig(options.config);
  const seed = options.seed ?? 42;
  const performanceMode = options.performanceMode ?? false; // switchable later: PUT /__admin/config {"performanceMode": ...}
  const host = options.host ?? '127.0.0.1';
  const stats = new StatsCollector();
  const admission = new Admission(config.latency.maxConcurrency);
  const planner = new Planner(seed, config, performanceMode);
  const jobs = new Set<Job>();
  const precise = options.timers === 'node' ? null : createPreciseClock(options.timers ?? 'auto');
  const scheduler = new Scheduler(precise ?? realClock);
  const hangs = new Set<ServerResponse>();
  const log = options.logFile ? openLog(options.logFile) : null;

  const gen: GenerateContext = {
    stats,
    admission,
    scheduler,
    jobs,
    itl: () => config.latency.itlMs,
    metrics: new LlmMetrics(
      () => stats.active,
      () => admission.depth,
    ),
    onLog: log
      ? (route, outcome, plan, ms) =>
          !log.destroyed &&
          log.write(
            `{"time":"${new Date().toISOString()}","route":"${route}","outcome":"${outcome}","fault":${JSON.stringify(plan.fault)},` +
              `"stream":${plan.request.stream},"ms":${ms.toFixed(2)},"inputTokens":${plan.inputTokens},"outputTokens":${plan.tokens.length}}\n`,
          )
      : undefined,
  };
  const reset = (): void => {
    stats.reset();
    gen.metrics?.reset();
    planner.reset();
  };
  const admin: AdminTarget = {
    config: () => config,
    setConfig: (next) => {
      config = next;
      planner.config = next;
      admission.setLimit(next.latency.maxConcurrency);
    },
    stats: () => stats.snapshot(admission.depth),
    reset,
    seed,
    performanceMode: () => planner.performanceMode,
    setPerformanceMode: (on) => {
      planner.performanceMode = on;
    },
  };
  const state: ServerState = { planner, stats, admission, gen, hangs, admin, config: () => config };

  const server = createServer({ noDelay: true, keepAliveTimeout: 65_000 }, createHandler(state));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = `${host}:${options.port ?? 0}`;
      void precise?.close();
      reject(
        new KitError(
          'MOCK_LLM_LISTEN_FAILED',
          `mock-llm cannot listen on ${where}: ${err.code ?? err.message}`,
          ExitCode.INVALID_CONFIG,
          { cause: err },
        ),
      );
    });
    server.listen(options.port ?? 0, host, () => {
      server.removeAllListeners('error');
      // Later errors (accept failing with EMFILE under load) are logged; the stub keeps serving.
      server.on('error', (err) => console.error(`mock-llm: server error: ${err.message}`));
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= new Promise<void>((resolve) => {
      for (const job of [...jobs]) job.cancel();
      scheduler.clear();
      admission.clear();
      for (const res of [...hangs]) res.destroy();
      // The timer thread is unref'd: it is told to stop, without holding the stop up.
      void precise?.close();
      server.close(() => (log && !log.destroyed ? log.end(() => resolve()) : resolve()));
      server.closeAllConnections();
    });
    return stopping;
  };
  return { url: `http://${urlHost}:${port}`, port, stats: admin.stats, reset, stop };
}
