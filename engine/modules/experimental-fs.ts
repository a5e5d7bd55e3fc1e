/**
 * k6/experimental/fs (k6 v2.2.0, internal/js/modules/k6/experimental/fs): `open(path)` in the init
 * context only, a promise of a File ({ path, read, seek, stat }); `SeekMode` { Start: 0, Current: 1,
 * End: 2 }. Paths resolve against the script's directory (a `file://` prefix is dropped). A file is
 * read once per thread and shared; each File has its own offset. `read(uint8Array)` resolves to the
 * number of bytes read, or null at the end; seek/read errors reject with an error whose `name` is
 * k6's kind (TypeError, NotFoundError, InvalidResourceError, ForbiddenError) and k6's message.
 * As in k6, `seek(offset, SeekMode.End)` counts from the last byte (size - 1 + offset).
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { ModuleFactory } from './api.ts';
import { stateOf } from '../runtime/vu-state.ts';

export const SeekMode = Object.freeze({ Start: 0, Current: 1, End: 2 });

/** k6's fsError: `name` is the kind, `message` k6's; prints as "<name>: <message>" as in k6. */
class FsError extends Error {
  constructor(kind: string, message: string) {
    super(message);
    this.name = kind;
  }
}

/** Contents by absolute path, shared by the VUs of this thread (k6's per-test cache). */
const contents = new Map<string, Uint8Array>();

function integer(v: unknown, what: string, arg: string): number {
  if (v === null || v === undefined)
    throw new FsError('TypeError', `${what}() failed; reason: the ${arg} argument cannot be null or undefined`);
  if (typeof v !== 'number')
    throw new FsError('TypeError', `${what}() failed; reason: the ${arg} argument must be a number`);
  return Math.trunc(v);
}

class File {
  #offset = 0;

  /** The bytes from the offset to the end, moving the offset to the end (k6/experimental/csv reads a File so). */
  static takeRest(file: unknown): Uint8Array | null {
    if (!(file instanceof File)) return null;
    const rest = file.data.subarray(file.#offset);
    file.#offset = file.data.length;
    return rest;
  }

  constructor(
    readonly path: string,
    private readonly data: Uint8Array,
  ) {}

  stat(): Promise<{ name: string; size: number }> {
    return Promise.resolve({ name: basename(this.path), size: this.data.length });
  }

  read(into: unknown): Promise<number | null> {
    if (into === null || into === undefined)
      return Promise.reject(
        new FsError('TypeError', 'read() failed; reason: into argument cannot be null or undefined'),
      );
    if (Object.prototype.toString.call(into) !== '[object Uint8Array]')
      return Promise.reject(new FsError('TypeError', 'read() failed; reason: into argument must be a Uint8Array'));
    const size = this.data.length;
    if (this.#offset === size) return Promise.resolve(null);
    const end = Math.min(this.#offset + (into as Uint8Array).length, size);
    (into as Uint8Array).set(this.data.subarray(this.#offset, end));
    const n = end - this.#offset;
    this.#offset = end;
    return Promise.resolve(n);
  }

  seek(offset: unknown, whence: unknown): Promise<number> {
    try {
      const off = integer(offset, 'seek', 'offset');
      const mode = integer(whence, 'seek', 'whence');
      const size = this.data.length;
      let next: number;
      if (mode === SeekMode.Start) {
        if (off < 0) throw new FsError('TypeError', 'offset cannot be negative when using SeekModeStart');
        next = off;
      } else if (mode === SeekMode.Current) next = this.#offset + off;
      else if (mode === SeekMode.End) {
        if (off > 0) throw new FsError('TypeError', 'offset cannot be positive when using SeekModeEnd');
        next = size - 1 + off;
      } else throw new FsError('TypeError', 'seek() failed; reason: the whence argument must be a SeekMode');
      if (next < 0) throw new FsError('TypeError', 'seeking before start of file');
      if (next > size) throw new FsError('TypeError', 'seeking beyond end of file');
      this.#offset = next;
      return Promise.resolve(next);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }
}

function load(path: string): Uint8Array {
  let hit = contents.get(path);
  if (hit) return hit;
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new FsError('NotFoundError', `no such file or directory "${path}"`);
  }
  if (isDir) throw new FsError('InvalidResourceError', `cannot open "${path}": opening a directory is not supported`);
  hit = new Uint8Array(readFileSync(path));
  contents.set(path, hit);
  return hit;
}

/** See File.takeRest; null when `file` is not a File of this module. */
export const takeRest = (file: unknown): Uint8Array | null => File.takeRest(file);

export const createModule: ModuleFactory = (vu) => {
  const st = stateOf(vu);
  const open = (path: unknown): Promise<File> => {
    try {
      if (vu.phase() !== 'init')
        throw new FsError(
          'ForbiddenError',
          'open() failed; reason: opening a file is allowed only in the Init context',
        );
      if (path === null || path === undefined)
        throw new FsError('TypeError', 'open() failed; reason: path cannot be null or undefined');
      const p = String(path).replace(/^file:\/\//, '');
      if (p === '') throw new FsError('TypeError', 'open() failed; reason: path cannot be empty');
      const abs = resolve(dirname(st.host.script.path), p);
      return Promise.resolve(new File(abs, load(abs)));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  };
  const api = { open, SeekMode };
  return { ...api, default: api };
};
