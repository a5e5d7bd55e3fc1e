/**
 * k6's legacy --summary-export shape (k6 `js/summary-wrapper.js` oldJSONSummary):
 * - `options` and `state` dropped; `root_group`, `metrics` (and `setup_data` if any) kept;
 * - each metric flattened to its values; a Rate's `rate` renamed `value` (beside passes, fails);
 * - thresholds as `{ "<expression>": <boolean> }` where the boolean is `!ok`, i.e. TRUE MEANS
 *   THE THRESHOLD FAILED (k6's historical "tainted" flag) - kept for compatibility;
 * - groups and checks as maps keyed by name instead of arrays.
 */
import type { SummaryGroup } from '../metrics/groups.ts';
import type { K6SummaryData } from './types.ts';

export interface ExportGroup {
  name: string;
  path: string;
  id: string;
  groups: Record<string, ExportGroup>;
  checks: Record<string, { name: string; path: string; id: string; passes: number; fails: number }>;
}

function exportGroup(g: SummaryGroup): ExportGroup {
  const groups: ExportGroup['groups'] = {};
  for (const child of g.groups) groups[child.name] = exportGroup(child);
  const checks: ExportGroup['checks'] = {};
  for (const c of g.checks) checks[c.name] = { ...c };
  return { name: g.name, path: g.path, id: g.id, groups, checks };
}

export function exportSummary(data: K6SummaryData): object {
  const metrics: Record<string, Record<string, unknown>> = {};
  for (const [name, m] of Object.entries(data.metrics)) {
    const flat: Record<string, unknown> = { ...m.values };
    if (m.thresholds && Object.keys(m.thresholds).length > 0) {
      const th: Record<string, boolean> = {};
      for (const [expr, t] of Object.entries(m.thresholds)) th[expr] = !t.ok;
      flat.thresholds = th;
    }
    if (m.type === 'rate' && 'rate' in flat) {
      flat.value = flat.rate;
      delete flat.rate;
    }
    metrics[name] = flat;
  }
  const out: Record<string, unknown> = { root_group: exportGroup(data.root_group), metrics };
  if ('setup_data' in data) out.setup_data = data.setup_data;
  return out;
}
