/** What every service, whichever provider started it, hands back. */
export type ServiceName = 'redis' | 'postgres' | 'kafka';
export const SERVICE_NAMES: readonly ServiceName[] = ['redis', 'postgres', 'kafka'];

export interface Endpoints {
  redis?: { url: string };
  postgres?: { url: string };
  kafka?: { brokers: string[] };
}

export interface StartContext {
  /** Where the service's log goes (`<logDir>/<service>.log`); default: its temp dir. */
  logDir?: string;
  signal?: AbortSignal;
  /** Reports a sub-step ("initdb", "format storage") to the progress display. */
  onStep?: (title: string) => void;
}

export interface StartedService extends AsyncDisposable {
  readonly name: ServiceName;
  readonly host: string;
  readonly port: number;
  /** The part of the endpoints this service contributes. */
  readonly endpoints: Endpoints;
  readonly pid?: number;
  readonly tempDir?: string;
  readonly logFile?: string;
  /** Stops the server and removes its temp dir; idempotent; returns warnings, never throws. */
  stop(): Promise<string[]>;
}
