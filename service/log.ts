/** One JSON line per event on stderr (stdout carries only the CLI's readiness line). */
export type Logger = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export const stderrLogger: Logger = (level, msg, fields) => {
  const line = { t: new Date().toISOString(), level, component: 'target', msg, ...fields };
  process.stderr.write(`${JSON.stringify(line)}\n`);
};

export const silentLogger: Logger = () => {};

export function errorFields(err: unknown): Record<string, unknown> {
  const e = err as { message?: string; code?: string };
  return { error: e?.message ?? String(err), code: e?.code };
}

/** A sleep that `wake()` ends early (loops use it to stop promptly). */
export class Napper {
  private timer: NodeJS.Timeout | undefined;
  private resolve: (() => void) | undefined;
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }
  wake(): void {
    clearTimeout(this.timer);
    this.resolve?.();
  }
}
