/**
 * k6's `console` (log, info, warn, error, debug): a global of the k6 runtime that
 * @types/k6 leaves to the DOM lib, which the scenarios do not load.
 */
declare const console: {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
};
