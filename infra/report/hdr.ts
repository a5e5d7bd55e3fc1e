/**
 * Exact percentiles from histograms.json: each entry is an hdr-histogram-js compressed base64 histogram
 * whose values were recorded as round(value × scale); reading a percentile divides by the scale again.
 */
import * as hdr from 'hdr-histogram-js';
import { ReportError } from './errors.ts';
import { percentileOf } from './summary.ts';
import type { HistogramsFile } from './types.ts';

export interface DecodedHistograms {
  file: string;
  scale: number;
  get(metric: string): hdr.Histogram | null;
  /** Frees every decoded histogram. */
  destroy(): void;
}

/** Lazily decodes the histograms of a file; a bad entry is a ReportError naming the file and the key. */
export function decodeHistograms(data: HistogramsFile, file: string): DecodedHistograms {
  const cache = new Map<string, hdr.Histogram>();
  return {
    file,
    scale: data.scale,
    get(metric) {
      const encoded = data.histograms[metric];
      if (encoded === undefined) return null;
      let h = cache.get(metric);
      if (!h) {
        try {
          h = hdr.decodeFromCompressedBase64(encoded, 32, false);
        } catch (err) {
          throw new ReportError('REPORT_FILE_MALFORMED', `${file}: field "histograms.${metric}" is not an hdr-histogram-js compressed base64 histogram (${(err as Error).message})`, { cause: err });
        }
        cache.set(metric, h);
      }
      return h;
    },
    destroy() {
      for (const h of cache.values()) h.destroy();
      cache.clear();
    },
  };
}

/** A percentile stat (`p(95)`, `med`) of a decoded histogram in the metric's unit, or null for other stats / no samples. */
export function hdrPercentile(h: hdr.Histogram, scale: number, stat: string): number | null {
  const p = percentileOf(stat);
  if (p === null || h.totalCount === 0) return null;
  return h.getValueAtPercentile(p) / scale;
}
