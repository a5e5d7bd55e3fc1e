/**
 * results/<run>/requests.jsonl: one line per LLM request, for scenarios that log one
 * (llm-stream). The script prints each record as a console line holding `k6lp_request=`
 * and the percent-encoded JSON (scripts/lib/llm-window.ts); both engines put console lines
 * in logs/engine.log (k6's logfmt and the engine's `INFO[0003] ...` alike, and percent-encoding
 * survives either's quoting), so the same extraction serves both. A line that does not decode
 * is counted and reported, never copied half.
 */
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

const RECORD = /k6lp_request=([A-Za-z0-9%\-_.!~*'()]+)/;

export interface RequestsExport {
  written: number;
  bad: number;
}

/** Copies the request records of `engineLog` to `out`; writes nothing (and returns null) when there are none. */
export async function exportRequests(engineLog: string, out: string): Promise<RequestsExport | null> {
  if (!existsSync(engineLog)) return null;
  const lines = createInterface({ input: createReadStream(engineLog, 'utf8'), crlfDelay: Infinity });
  let sink: ReturnType<typeof createWriteStream> | null = null;
  const result: RequestsExport = { written: 0, bad: 0 };
  try {
    for await (const line of lines) {
      const m = RECORD.exec(line);
      if (!m) continue;
      let json: string;
      try {
        json = JSON.stringify(JSON.parse(decodeURIComponent(m[1]!)));
      } catch {
        result.bad++;
        continue;
      }
      sink ??= createWriteStream(out);
      if (!sink.write(json + '\n')) await once(sink, 'drain');
      result.written++;
    }
  } finally {
    lines.close();
    if (sink) await new Promise<void>((resolve, reject) => sink!.end((err?: Error | null) => (err ? reject(err) : resolve()))); // prettier-ignore
  }
  return sink ? result : null;
}

/**
 * The engine's stderr as echoed to the terminal, without the request records (they go to
 * engine.log and requests.jsonl; on screen they would drown the run's progress). Whole lines
 * are filtered; an unfinished line is held until its end, unless it holds a carriage return
 * (a progress line redrawn in place), which is shown at once.
 */
export function withoutRecords(write: (text: string) => void): { push(chunk: Buffer): void; end(): void } {
  let tail = '';
  return {
    push(chunk) {
      const text = tail + chunk.toString('utf8');
      const cut = text.lastIndexOf('\n') + 1;
      tail = text.slice(cut);
      const shown = text
        .slice(0, cut)
        .split(/(?<=\n)/)
        .filter((l) => !RECORD.test(l))
        .join('');
      if (tail.includes('\r') && !RECORD.test(tail)) {
        write(shown + tail);
        tail = '';
      } else if (shown) write(shown);
    },
    end() {
      if (tail && !RECORD.test(tail)) write(tail);
      tail = '';
    },
  };
}
