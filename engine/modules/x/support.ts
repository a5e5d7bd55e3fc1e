/**
 * What the extension modules (`k6/x/redis`, `k6/x/kafka`, `k6/x/sql`) share: the
 * async-mode guard, the error class, byte conversions and Go-style duration parsing.
 */
import { ExitCode, KitError } from '../../exit-codes.ts';
import type { VuContext } from '../api.ts';

/** An error raised by an extension module; `code` is stable, the message names the module. */
export class ExtensionError extends KitError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, ExitCode.SCRIPT_EXCEPTION, options);
    this.name = 'ExtensionError';
  }
}

/**
 * The kit's extension modules return promises: they need the engine's async mode.
 * Called by every constructor and method, so a sync-mode VU learns it at the first use.
 */
export function requireAsyncMode(vu: VuContext, module: string, what: string): void {
  if (vu.mode === 'sync') {
    throw new ExtensionError(
      'X_MODULE_NEEDS_ASYNC',
      `${module}: ${what} returns a promise and needs the engine's async mode; ` +
        'make the exported functions async and await every call (harmless under the k6 binary)',
    );
  }
}

/** Like the extensions, I/O is refused in the init context (it runs once per VU, before any scenario). */
export function forbidInInit(vu: VuContext, module: string, what: string): void {
  if (vu.phase() === 'init') {
    throw new ExtensionError(
      'X_MODULE_IN_INIT',
      `${module}: ${what} is not allowed in the init context; call it from a VU function, setup() or teardown()`,
    );
  }
}

export type Bytes = string | Uint8Array | ArrayBuffer | ArrayLike<number>;

/** Converts what a script may hand as message bytes to a Buffer (strings as UTF-8). */
export function toBuffer(value: unknown, module: string, field: string): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (Array.isArray(value) && value.every((b) => Number.isInteger(b) && b >= 0 && b < 256)) return Buffer.from(value);
  throw new ExtensionError(
    'X_MODULE_BAD_ARGUMENT',
    `${module}: ${field} must be a string, Uint8Array, ArrayBuffer or byte array, got ${describe(value)}`,
  );
}

/** A copy of the bytes as a plain Uint8Array (what the script sees; no Buffer methods leak out). */
export function toBytes(buffer: Buffer | null | undefined): Uint8Array | undefined {
  if (!buffer || buffer.length === 0) return undefined;
  return new Uint8Array(buffer);
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A Go duration as xk6 extensions accept it, in milliseconds: a string such as "1.5s",
 * "200ms", "1m30s", or a number of nanoseconds (Go's time.Duration in JSON).
 */
export function parseDurationMs(value: unknown, module: string, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value / 1e6;
  if (typeof value === 'string') {
    const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
    if (parts.length > 0 && parts.map((p) => p[0]).join('') === value) {
      return parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
    }
  }
  throw new ExtensionError(
    'X_MODULE_BAD_ARGUMENT',
    `${module}: ${field} must be a duration such as "500ms" or "10s" (or nanoseconds), got ${JSON.stringify(value)}`,
  );
}
