/**
 * Percentiles from histograms.json: each entry is an hdr-histogram-js compressed base64 histogram
 * whose values were recorded as round(value × scale). With the engine's scale (1000) a percentile is
 * read exactly as the engine computed the summary's (k6's interpolation over the histogram's ranks,
 * engine/metrics/hdr.ts, within 0.1 % of k6's over the raw samples), so a comparison and a threshold
 * read the same number; with any other scale, HDR's value at the percentile divided by the scale.
 */
import * as hdr from 'hdr-histogram-js';
import { HDR_SCALE, hdrPercentile as engineHdrPercentile, newHistogram } from '../engine/metrics/index.ts';
import { ReportError } from './errors.ts';
import { binsOf, type Bins } from './stats.ts';
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
          throw new ReportError(
            'REPORT_FILE_MALFORMED',
            `${file}: field "histograms.${metric}" is not an hdr-histogram-js compressed base64 histogram (${(err as Error).message})`,
            { cause: err },
          );
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

/**
 * A percentile stat (`p(95)`, `med`) of a decoded histogram in the metric's unit, or null for other
 * stats / no samples. `min`/`max` are the exact extremes when known (the summary's), for clamping.
 */
export function hdrPercentile(
  h: hdr.Histogram,
  scale: number,
  stat: string,
  min = -Infinity,
  max = Infinity,
): number | null {
  const p = percentileOf(stat);
  if (p === null || h.totalCount === 0) return null;
  if (scale === HDR_SCALE) return engineHdrPercentile(h, p, min, max);
  return h.getValueAtPercentile(p) / scale;
}

/** The iteration surface of a decoded (JS) histogram; the package's Histogram type does not declare it. */
interface RecordedIterable {
  recordedValuesIterator: {
    reset(): void;
    hasNext(): boolean;
    next(): { valueIteratedTo: number; countAtValueIteratedTo: number };
  };
  lowestEquivalentValue(value: number): number;
}

/**
 * The samples of a histogram as bins in the metric's unit: each recorded bucket is one tied group
 * read at its lowest value (as the engine reads percentiles), so two runs' bins line up exactly.
 */
export function histogramBins(h: hdr.Histogram, scale: number): Bins {
  const it = (h as unknown as RecordedIterable).recordedValuesIterator;
  const lowest = (v: number) => (h as unknown as RecordedIterable).lowestEquivalentValue(v);
  const pairs: Array<[number, number]> = [];
  it.reset();
  while (it.hasNext()) {
    const step = it.next();
    pairs.push([lowest(step.valueIteratedTo) / scale, step.countAtValueIteratedTo]);
  }
  return binsOf(pairs);
}

/** A new histogram holding every sample of `parts` (the engine's bounds); the caller destroys it. */
export function mergeHistograms(parts: hdr.Histogram[]): hdr.Histogram {
  const merged = newHistogram();
  for (const p of parts) merged.add(p);
  return merged;
}
