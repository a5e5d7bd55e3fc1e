import { removeTempDir } from '../lifecycle/files.ts';
import type { ManagedProcess } from '../lifecycle/process.ts';
import type { Endpoints, ServiceName, StartedService } from './types.ts';

export interface StartedLocalInit {
  name: ServiceName;
  port: number;
  proc: ManagedProcess;
  tempDir: string;
  logFile: string;
  endpoints: Endpoints;
  /** The signal the server takes as "shut down now" (PostgreSQL: SIGINT, fast shutdown). */
  stopSignal: NodeJS.Signals;
  graceMs?: number;
  /** Runs after the process is gone and before its temp dir is removed (e.g. keep a file it wrote at exit). */
  afterExit?: () => void;
}

/** The started handle of a server run as a local process by the kit. */
export class StartedLocalService implements StartedService {
  readonly name: ServiceName;
  readonly host = '127.0.0.1';
  readonly port: number;
  readonly endpoints: Endpoints;
  readonly tempDir: string;
  readonly logFile: string;
  private readonly proc: ManagedProcess;
  private readonly stopSignal: NodeJS.Signals;
  private readonly graceMs: number;
  private readonly afterExit: (() => void) | undefined;
  private stopping: Promise<string[]> | undefined;

  constructor(init: StartedLocalInit) {
    this.name = init.name;
    this.port = init.port;
    this.endpoints = init.endpoints;
    this.tempDir = init.tempDir;
    this.logFile = init.logFile;
    this.proc = init.proc;
    this.stopSignal = init.stopSignal;
    this.graceMs = init.graceMs ?? 10_000;
    this.afterExit = init.afterExit;
  }

  get pid(): number {
    return this.proc.pid;
  }

  get url(): string {
    return this.endpoints.redis?.url ?? this.endpoints.postgres?.url ?? this.endpoints.kafka?.brokers[0] ?? '';
  }

  stop(): Promise<string[]> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<string[]> {
    const warnings: string[] = [];
    try {
      await this.proc.stop(this.stopSignal, this.graceMs);
    } catch (err) {
      warnings.push(`${this.name}: could not stop pid ${this.pid}: ${(err as Error).message}`);
    }
    try {
      this.afterExit?.();
    } catch (err) {
      warnings.push(`${this.name}: ${(err as Error).message}`);
    }
    const dirWarning = removeTempDir(this.tempDir);
    if (dirWarning) warnings.push(`${this.name}: ${dirWarning}`);
    return warnings;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const w of await this.stop()) console.warn(`warning: ${w}`);
  }
}
