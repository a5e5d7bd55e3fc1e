/**
 * k6/experimental/csv (k6 v2.2.0, internal/js/modules/k6/experimental/csv) on csv-parse, reading
 * a File of k6/experimental/fs from its current offset:
 * - `parse(file, options?)`: a promise of every record as a SharedArray (built once per thread for
 *   one path and options, frozen);
 * - `new Parser(file, options?)` (init context only): `next()` resolves to `{ done, value }`, one
 *   record at a time, then `{ done: true, value: [] }`.
 * Options: `delimiter` (one character, default ","), `skipFirstLine`, `fromLine` and `toLine`
 * (0-based line numbers, both inclusive; lines before fromLine are skipped), `asObjects` (the first
 * line is the header: records become objects). Records are arrays of strings. Option conflicts are
 * refused with k6's messages. A record whose field count differs from the first one's fails, as
 * Go's encoding/csv does; blank lines are skipped as there.
 * Not like k6: the Parser parses the rest of the file when it is made (k6 reads it as it goes).
 */
import { parse as parseCsv } from 'csv-parse/sync';
import type { ModuleFactory } from './api.ts';
import { stateOf } from '../runtime/vu-state.ts';
import { takeRest } from './experimental-fs.ts';

interface Options {
  delimiter: string;
  skipFirstLine: boolean;
  fromLine: number | null;
  toLine: number | null;
  asObjects: boolean;
}

function readOptions(raw: unknown): Options {
  const o: Options = { delimiter: ',', skipFirstLine: false, fromLine: null, toLine: null, asObjects: false };
  if (raw === undefined || raw === null) return o;
  const r = raw as Record<string, unknown>;
  if (r.delimiter !== undefined) {
    const d = String(r.delimiter);
    if (d.length > 1) throw new Error('delimiter must be a single character');
    o.delimiter = d;
  }
  if (r.skipFirstLine !== undefined) o.skipFirstLine = Boolean(r.skipFirstLine);
  if (r.fromLine !== undefined) o.fromLine = Math.trunc(Number(r.fromLine));
  if (r.toLine !== undefined) o.toLine = Math.trunc(Number(r.toLine));
  if (r.asObjects !== undefined) o.asObjects = Boolean(r.asObjects);
  if (o.asObjects && o.skipFirstLine)
    throw new Error("the 'header' option cannot be enabled when 'skipFirstLine' is true");
  if (o.asObjects && o.fromLine !== null && o.fromLine > 0)
    throw new Error("the 'header' option cannot be enabled when 'fromLine' is set to a value greater than 0");
  if (o.fromLine !== null && o.fromLine < 0)
    throw new Error(`the 'fromLine' option must be greater than or equal to 0; got ${o.fromLine}`);
  if (o.toLine !== null && o.toLine < 0)
    throw new Error(`the 'toLine' option must be greater than or equal to 0; got ${o.toLine}`);
  if (o.fromLine !== null && o.toLine !== null && o.fromLine >= o.toLine)
    throw new Error(
      `the 'fromLine' option must be less than the 'toLine' option; got 'fromLine': ${o.fromLine}, 'toLine': ${o.toLine}`,
    );
  return o;
}

/** Every record k6's reader gives for these options, in order. */
function records(bytes: Uint8Array, o: Options): unknown[] {
  const rows = parseCsv(Buffer.from(bytes), {
    delimiter: o.delimiter || ',',
    skip_empty_lines: true,
    relax_column_count: false,
  }) as string[][];
  let line = 0;
  let header: string[] | null = null;
  if (o.asObjects) {
    if (rows.length === 0)
      throw new Error('failed to create a new parser; reason: failed to read the first line; reason: EOF');
    header = rows[0]!;
    line = 1;
  }
  if (o.skipFirstLine && (o.fromLine === null || o.fromLine === 0)) line += 1;
  if (o.fromLine !== null && o.fromLine > 0) line = Math.max(line, o.fromLine);
  if (line > rows.length)
    throw new Error(
      `failed to create a new parser; reason: failed to skip lines until line ${o.fromLine}; reason: EOF`,
    );
  const end = o.toLine !== null && o.toLine > 0 ? Math.min(rows.length, o.toLine + 1) : rows.length;
  const out: unknown[] = [];
  for (let i = line; i < end; i++) {
    const row = rows[i]!;
    if (!header) out.push(row);
    else {
      if (row.length !== header.length)
        throw new Error(`record length (${row.length}) doesn't match header length (${header.length})`);
      out.push(Object.fromEntries(header.map((name, k) => [name, row[k]!])));
    }
  }
  return out;
}

function fileBytes(file: unknown, what: string): Uint8Array {
  const bytes = takeRest(file);
  if (!bytes) throw new TypeError(`${what}: the first argument must be a k6/experimental/fs File`);
  return bytes;
}

const deepFreeze = <T>(v: T): T => {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
};

export const createModule: ModuleFactory = (vu) => {
  const st = stateOf(vu);

  function parse(file: unknown, options?: unknown): Promise<unknown[]> {
    try {
      const o = readOptions(options);
      const name = `csv.parse.${(file as { path?: string })?.path}.${JSON.stringify(o)}`;
      const shared = st.host.sharedArrays.get(name) as unknown[] | undefined;
      if (shared) {
        fileBytes(file, 'csv.parse()');
        return Promise.resolve(shared);
      }
      const data = deepFreeze(records(fileBytes(file, 'csv.parse()'), o));
      st.host.sharedArrays.set(name, data);
      return Promise.resolve(data);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  class Parser {
    #rows: unknown[];
    #next = 0;
    constructor(file: unknown, options?: unknown) {
      if (vu.phase() !== 'init') throw new Error('csv Parser constructor must be called in the init context');
      if (file === undefined || file === null)
        throw new Error('csv Parser constructor takes at least one non-nil source argument');
      this.#rows = records(fileBytes(file, 'new csv.Parser()'), readOptions(options));
    }

    next(): Promise<{ done: boolean; value: unknown }> {
      if (this.#next >= this.#rows.length) return Promise.resolve({ done: true, value: [] });
      return Promise.resolve({ done: false, value: this.#rows[this.#next++] });
    }
  }

  const api = { parse, Parser };
  return { ...api, default: api };
};
