/**
 * The capacity search as a pure state machine (no I/O, unit-tested on its own): the caller asks
 * `next()` for the load of the next step, runs it and `record`s whether every threshold held.
 *
 *   grow    start, start × growth, start × growth², ... (capped at maxLoad) until a step breaks;
 *   bisect  between the highest load that held (lo) and the lowest that broke (hi): the midpoint,
 *           until (hi − lo) / hi ≤ resolution (or, for an integer knob, hi = lo + 1).
 *
 * It stops by itself: at the resolution, at maxSteps steps, when maxLoad holds (the capacity is
 * at least maxLoad), or when the starting load already breaks (the capacity is below it).
 */

export interface SearchConfig {
  /** The first load tried (> 0). */
  start: number;
  /** Factor of the growth phase (> 1). */
  growth: number;
  /** Relative width at which bisection stops, e.g. 0.05. */
  resolution: number;
  /** At most this many steps (each step may run several repeats). */
  maxSteps: number;
  /** Never offer more than this. */
  maxLoad: number;
  /** Loads are whole numbers (VUs, streams, k6 integer rates). */
  integer: boolean;
}

export type StopReason = 'resolution' | 'max-steps' | 'max-load' | 'below-start';

export interface SearchState {
  /** Highest load where every threshold held. */
  lo: number | null;
  /** Lowest load where a threshold broke. */
  hi: number | null;
  phase: 'grow' | 'bisect';
  steps: number;
  stop: StopReason | null;
}

/** The problems of a search config, each naming its option. */
export function searchConfigProblems(c: SearchConfig): string[] {
  const p: string[] = [];
  if (!(c.start > 0)) p.push(`--start ${c.start}: expected a positive load`);
  if (c.integer && !Number.isInteger(c.start)) p.push(`--start ${c.start}: expected a whole number for this knob`);
  if (!(c.growth > 1)) p.push(`--growth ${c.growth}: expected a factor above 1, e.g. 2`);
  if (!(c.resolution > 0 && c.resolution < 1)) p.push(`--resolution: expected a percentage between 0 and 100 (exclusive)`); // prettier-ignore
  if (!(Number.isInteger(c.maxSteps) && c.maxSteps >= 1)) p.push(`--max-steps ${c.maxSteps}: expected a positive integer`); // prettier-ignore
  if (!(c.maxLoad >= c.start)) p.push(`--max-load ${c.maxLoad}: expected at least --start (${c.start})`);
  return p;
}

/** Two decimals for a fractional knob (k6 rates are written per 10 s or 100 s then). */
const round = (v: number, integer: boolean): number => (integer ? Math.round(v) : Math.round(v * 100) / 100);

export class CapacitySearch {
  readonly state: SearchState = { lo: null, hi: null, phase: 'grow', steps: 0, stop: null };

  constructor(readonly config: SearchConfig) {}

  /** The load of the next step, or null when the search is over (state.stop says why). */
  next(): number | null {
    const s = this.state;
    const c = this.config;
    if (s.stop) return null;
    if (s.steps >= c.maxSteps) return this.end('max-steps');
    if (s.hi === null) {
      if (s.lo === null) return c.start;
      if (s.lo >= c.maxLoad) return this.end('max-load');
      const grown = c.integer ? Math.ceil(s.lo * c.growth) : round(s.lo * c.growth, false);
      return Math.min(Math.max(grown, s.lo + (c.integer ? 1 : 0.01)), c.maxLoad);
    }
    if (s.lo === null) return this.end('below-start');
    if ((s.hi - s.lo) / s.hi <= c.resolution) return this.end('resolution');
    const mid = c.integer ? Math.floor((s.lo + s.hi) / 2) : round((s.lo + s.hi) / 2, false);
    if (mid <= s.lo || mid >= s.hi) return this.end('resolution');
    return mid;
  }

  /** The outcome of the step at `load`. */
  record(load: number, held: boolean): void {
    const s = this.state;
    s.steps++;
    if (held) s.lo = s.lo === null ? load : Math.max(s.lo, load);
    else {
      s.hi = s.hi === null ? load : Math.min(s.hi, load);
      s.phase = 'bisect';
    }
  }

  private end(reason: StopReason): null {
    this.state.stop = reason;
    return null;
  }
}
