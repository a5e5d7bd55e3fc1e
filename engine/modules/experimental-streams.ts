/**
 * k6/experimental/streams (k6 v2.2.0, internal/js/modules/k6/experimental/streams): the WHATWG
 * Streams API k6 exports — ReadableStream, ReadableStreamDefaultReader, CountQueuingStrategy,
 * WritableStream, WritableStreamDefaultWriter — on Node's implementation (node:stream/web), which
 * passes the same WHATWG tests k6's does. What k6 does not support is refused as k6 refuses it
 * (a NotSupportedError): byte streams (`type: "bytes"`), BYOB readers and `tee()`; and, as in k6,
 * a ReadableStream has no `pipeTo` or `pipeThrough`.
 */
import {
  CountQueuingStrategy,
  ReadableStream as NodeReadableStream,
  ReadableStreamDefaultReader,
  WritableStream,
  WritableStreamDefaultWriter,
  type UnderlyingSource,
  type QueuingStrategy,
} from 'node:stream/web';
import type { ModuleFactory } from './api.ts';

class NotSupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotSupportedError';
  }
}

class ReadableStream<R = unknown> extends NodeReadableStream<R> {
  constructor(source?: Record<string, unknown>, strategy?: QueuingStrategy<R>) {
    if (source?.type === 'bytes') throw new NotSupportedError("'bytes' streams are not supported yet");
    super(source as UnderlyingSource<R>, strategy);
  }

  override getReader(options?: { mode?: string }): never {
    if (options?.mode === 'byob') throw new NotSupportedError("'byob' mode is not supported yet");
    return super.getReader() as never;
  }

  override tee(): never {
    throw new NotSupportedError("'tee()' is not supported yet");
  }
}

// k6's ReadableStream has no pipeTo / pipeThrough: a script calling them fails there as under k6.
for (const name of ['pipeTo', 'pipeThrough'])
  Object.defineProperty(ReadableStream.prototype, name, { value: undefined, configurable: true });

export const createModule: ModuleFactory = () => {
  const api = {
    ReadableStream,
    ReadableStreamDefaultReader,
    CountQueuingStrategy,
    WritableStream,
    WritableStreamDefaultWriter,
  };
  return { ...api, default: api };
};
