/**
 * Object bodies, as k6 sends them: an object with an `http.file()` value among its fields goes as
 * multipart/form-data (file uploads), any other object as application/x-www-form-urlencoded.
 *
 * k6's rules (js/modules/k6/http/request.go, file.go), kept here:
 * - form: keys sorted (Go's url.Values.Encode), an array value is one pair per element;
 * - multipart: a new random boundary per request (60 hex digits, as Go's mime/multipart), a file
 *   part has `Content-Disposition: form-data; name="<key>"; filename="<filename>"` (quotes and
 *   backslashes in the filename escaped) and `Content-Type: <content_type>`; other fields are
 *   plain form-data parts with their value as text;
 * - http.file(data, filename?, contentType?): data a string (its UTF-8 bytes), an ArrayBuffer, a
 *   typed array or an array of byte values; filename defaults to the current time in nanoseconds,
 *   contentType to application/octet-stream.
 */
import { randomBytes } from 'node:crypto';
import { bytesOf } from '../runtime/bytes.ts';

/** What http.file() returns (k6's FileData: data, filename, content_type). */
export class FileData {
  /** The bytes sent, taken once when http.file() is called (as k6 does). */
  readonly #bytes: Buffer;

  constructor(
    readonly data: string | ArrayBuffer | ArrayBufferView | number[],
    readonly filename: string,
    readonly content_type: string,
    bytes: Buffer,
  ) {
    this.#bytes = bytes;
  }

  get bytes(): Buffer {
    return this.#bytes;
  }
}

/** http.file(data, [filename], [contentType]). */
export function file(data: unknown, filename?: unknown, contentType?: unknown): FileData {
  const bytes = bytesOf(data, true);
  if (bytes === undefined)
    throw new TypeError(
      `http.file(): data: expected a string, an ArrayBuffer, a typed array or an array of byte values (0-255), got ${describe(data)}`,
    );
  const name =
    filename === undefined || filename === null
      ? String(BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n)
      : String(filename);
  const type = contentType === undefined || contentType === null ? 'application/octet-stream' : String(contentType);
  return new FileData(data as FileData['data'], name, type, bytes);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array with a value that is not a byte';
  return typeof v === 'object'
    ? `an object (${Object.prototype.toString.call(v)})`
    : `${typeof v} ${JSON.stringify(v)}`;
}

/** How a form field's value is written: Go's fmt %v for scalars and arrays; other objects as JSON. */
function fieldText(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(fieldText).join(' ')}]`;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Go's url.QueryEscape: only A-Z a-z 0-9 - _ . ~ stay as they are, a space becomes '+'. */
function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

export interface EncodedBody {
  body: string | Uint8Array;
  /** The body as Response.request.body shows it. */
  text: string;
  contentType: string;
}

/** An object body: multipart when a field is a FileData, else a urlencoded form. */
export function encodeObjectBody(obj: Record<string, unknown>): EncodedBody {
  const entries = Object.entries(obj);
  if (!entries.some(([, v]) => v instanceof FileData)) {
    const pairs: string[] = [];
    for (const [k, v] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      for (const el of Array.isArray(v) ? v : [v]) pairs.push(`${queryEscape(k)}=${queryEscape(fieldText(el))}`);
    }
    const text = pairs.join('&');
    return { body: text, text, contentType: 'application/x-www-form-urlencoded' };
  }
  const boundary = randomBytes(30).toString('hex');
  const chunks: Buffer[] = [];
  entries.forEach(([k, v], i) => {
    let head = `${i === 0 ? '' : '\r\n'}--${boundary}\r\n`;
    let data: Buffer;
    if (v instanceof FileData) {
      head += `Content-Disposition: form-data; name="${k}"; filename="${escapeQuotes(v.filename)}"\r\nContent-Type: ${v.content_type}\r\n\r\n`;
      data = v.bytes;
    } else {
      head += `Content-Disposition: form-data; name="${escapeQuotes(k)}"\r\n\r\n`;
      data = Buffer.from(fieldText(v), 'utf8');
    }
    chunks.push(Buffer.from(head, 'utf8'), data);
  });
  chunks.push(Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'));
  const body = Buffer.concat(chunks);
  return {
    body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
    text: body.toString('latin1'),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

function escapeQuotes(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}
