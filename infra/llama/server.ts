/**
 * Starts llama-server on a free loopback port with the tiny model, `parallel` slots (each with
 * `ctxPerSlot` tokens of context) and `/metrics` on, and waits until `GET /health` answers 200
 * (503 while the model loads). The process leads its own group and is in the registry that
 * outlives a crash of the kit (ManagedProcess); `stop()` sends SIGTERM, SIGKILL after a bound.
 */
import { InfraError } from '../errors.ts';
import { logTail } from '../lifecycle/files.ts';
import { freePort } from '../lifecycle/ports.ts';
import { ManagedProcess } from '../lifecycle/process.ts';
import { describeWait, waitUntil } from '../lifecycle/wait.ts';
import { llamaMissing, llamaModelPath, llamaServerBinary } from './paths.ts';

export interface LlamaServerOptions {
  logFile: string;
  /** Concurrent requests served (slots); default 8. */
  parallel?: number;
  /** Context tokens per slot; default 1024. */
  ctxPerSlot?: number;
  /**
   * CPU threads of prompt processing and generation; default 1. The tiny model needs no more, and
   * ggml's threads wait for each other spinning: on a shared 2-core machine at load 16, two threads
   * took 22-63 ms per token where one took 0.1-0.9 ms.
   */
  threads?: number;
  readyTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface LlamaServer {
  /** http://127.0.0.1:PORT, no trailing slash. */
  url: string;
  pid: number;
  logFile: string;
  model: string;
  parallel: number;
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL to the group after `graceMs` (default 10 s). */
  stop(graceMs?: number): Promise<void>;
}

export const LLAMA_SERVER_NAME = 'llama-server';

function positiveInt(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new InfraError('INFRA_BAD_OPTION', `llama-server: ${name} must be a positive integer, got ${value}`); // prettier-ignore
}

export async function startLlamaServer(o: LlamaServerOptions): Promise<LlamaServer> {
  const parallel = o.parallel ?? 8;
  const ctxPerSlot = o.ctxPerSlot ?? 1024;
  positiveInt('parallel', parallel);
  positiveInt('ctxPerSlot', ctxPerSlot);
  if (o.threads !== undefined) positiveInt('threads', o.threads);
  const missing = llamaMissing();
  if (missing.length)
    throw new InfraError('INFRA_MISSING', `llama-server: ${missing.join(' and ')} not installed; run npm run setup:llama`, { service: LLAMA_SERVER_NAME }); // prettier-ignore
  const port = await freePort();
  const model = llamaModelPath();
  const args = ['-m', model, '--host', '127.0.0.1', '--port', String(port), '--parallel', String(parallel)];
  args.push('--ctx-size', String(parallel * ctxPerSlot), '--metrics', '--no-webui', '--jinja');
  const threads = String(o.threads ?? 1);
  args.push('--threads', threads, '--threads-batch', threads);
  const proc = ManagedProcess.start({ name: LLAMA_SERVER_NAME, command: llamaServerBinary(), args, logFile: o.logFile }); // prettier-ignore
  const url = `http://127.0.0.1:${port}`;
  const stop = (graceMs?: number): Promise<void> => proc.stop('SIGTERM', graceMs ?? 10_000);
  const timeoutMs = o.readyTimeoutMs ?? 60_000;
  const ready = await waitUntil(
    async () => {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`GET /health answered ${res.status}`);
    },
    { timeoutMs, process: proc, probeTimeoutMs: 3000, ...(o.signal ? { signal: o.signal } : {}) },
  );
  if (!ready.ok) {
    await stop(2000);
    const code = ready.reason === 'aborted' ? 'INFRA_ABORTED' : 'INFRA_START_FAILED';
    throw new InfraError(code, `llama-server at ${url}: ${describeWait(ready, timeoutMs)}`, {
      service: LLAMA_SERVER_NAME,
      logFile: o.logFile,
      logTail: logTail(o.logFile, 20),
    });
  }
  const exited = proc.exited.then((e) => e.code ?? e.signal ?? e.error?.message ?? 'unknown');
  return { url, pid: proc.pid, logFile: o.logFile, model, parallel, exited, stop };
}
