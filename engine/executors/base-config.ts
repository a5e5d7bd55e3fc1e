/**
 * What every executor's config shares (k6 `lib/executor/base_config.go`): executor, startTime,
 * gracefulStop, exec, env, tags; and the readers that validate an option and record every problem,
 * each naming the option as the user wrote it (`scenarios.<name>.<option>`).
 */
import { parseDuration } from '../options/duration.ts';

export interface BaseConfig {
  readonly name: string;
  readonly executor: string;
  /** ms after the test start. */
  readonly startTime: number;
  readonly gracefulStop: number;
  readonly exec: string;
  readonly env: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
}

export interface Stage {
  /** ms */
  readonly duration: number;
  readonly target: number;
}

export const BASE_KEYS = ['executor', 'startTime', 'gracefulStop', 'exec', 'env', 'tags'];
const SCENARIO_NAME = /^[0-9A-Za-z_-]+$/;

/** Reads options of one scenario and collects every problem. */
export class OptionReader {
  readonly problems: string[] = [];
  constructor(
    readonly scenario: string,
    readonly raw: Record<string, unknown>,
  ) {}

  private where(key: string): string {
    return `scenarios.${this.scenario}.${key}`;
  }

  problem(key: string, message: string): void {
    this.problems.push(`${this.where(key)}: ${message}`);
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  duration(key: string, fallback: number | null, min = 0): number {
    if (!this.has(key)) {
      if (fallback === null) this.problem(key, 'is required (a duration like "30s")');
      return fallback ?? 0;
    }
    const ms = parseDuration(this.raw[key]);
    if (typeof ms === 'object') {
      this.problem(key, ms.error);
      return fallback ?? 0;
    }
    if (ms < min) this.problem(key, `should be at least ${min / 1000}s, got ${JSON.stringify(this.raw[key])}`);
    return ms;
  }

  int(key: string, fallback: number | null, min: number): number {
    if (!this.has(key)) {
      if (fallback === null) this.problem(key, `is required (an integer >= ${min})`);
      return fallback ?? min;
    }
    const v = this.raw[key];
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      this.problem(key, `expected an integer, got ${JSON.stringify(v)}`);
      return fallback ?? min;
    }
    if (v < min) this.problem(key, `should be at least ${min}, got ${v}`);
    return v;
  }

  stringMap(key: string): Record<string, string> {
    if (!this.has(key)) return {};
    const v = this.raw[key];
    if (typeof v !== 'object' || Array.isArray(v) || v === null) {
      this.problem(key, `expected an object of strings, got ${JSON.stringify(v)}`);
      return {};
    }
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(v)) {
      if (typeof val !== 'string') this.problem(`${key}.${k}`, `expected a string, got ${JSON.stringify(val)}`);
      else out[k] = val;
    }
    return out;
  }

  stages(key: string): Stage[] {
    const v = this.raw[key];
    if (!Array.isArray(v) || v.length === 0) {
      this.problem(key, 'at least one stage has to be specified (an array of { duration, target })');
      return [];
    }
    return v.map((s: unknown, i) => {
      const at = `${key}[${i}]`;
      if (typeof s !== 'object' || s === null) {
        this.problem(at, `expected { duration, target }, got ${JSON.stringify(s)}`);
        return { duration: 0, target: 0 };
      }
      const stage = s as Record<string, unknown>;
      const ms = parseDuration(stage.duration ?? null);
      if (typeof ms === 'object') this.problem(`${at}.duration`, ms.error);
      const target = stage.target;
      if (typeof target !== 'number' || !Number.isInteger(target) || target < 0) {
        this.problem(`${at}.target`, `expected an integer >= 0, got ${JSON.stringify(target)}`);
      }
      return {
        duration: typeof ms === 'number' ? ms : 0,
        target: typeof target === 'number' ? Math.max(0, Math.floor(target)) : 0,
      };
    });
  }

  /** Flags keys the executor does not know (k6 rejects unknown fields). */
  unknownKeys(known: string[]): void {
    for (const key of Object.keys(this.raw)) {
      if (!BASE_KEYS.includes(key) && !known.includes(key))
        this.problem(key, `unknown option for executor "${String(this.raw.executor)}"`);
    }
  }

  base(): BaseConfig {
    if (!SCENARIO_NAME.test(this.scenario)) {
      this.problems.push(`scenarios.${this.scenario}: a scenario name may only contain letters, digits, "_" and "-"`);
    }
    const exec = this.has('exec') ? this.raw.exec : 'default';
    if (typeof exec !== 'string' || exec === '')
      this.problem('exec', `expected the name of an exported function, got ${JSON.stringify(exec)}`);
    return {
      name: this.scenario,
      executor: String(this.raw.executor),
      startTime: this.duration('startTime', 0),
      gracefulStop: this.duration('gracefulStop', 30_000),
      exec: typeof exec === 'string' && exec !== '' ? exec : 'default',
      env: this.stringMap('env'),
      tags: this.stringMap('tags'),
    };
  }
}
