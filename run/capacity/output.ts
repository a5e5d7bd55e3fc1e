/**
 * The files of a capacity folder, `results/<time>-capacity-<scenario>/`: capacity.json (the
 * result and every step, machine-readable; a later --baseline reads it), summary.md (the steps
 * table), junit.xml (one testcase per step and per gate) and report.html (the charts).
 */
import { writeFileSync } from 'node:fs';
import { capacityStepRows, writeCapacityReport, type CapacityView } from '../../report/index.ts';
import { messageOf } from '../errors.ts';
import { formatNumber } from '../format.ts';
import { escapeXml } from '../junit.ts';
import { exitMeaning } from '../summary-md.ts';
import { kitVersion, gitCommit, writeJson, type ResultsDir } from '../results-dir.ts';
import type { CapacityOptions } from './options.ts';
import type { CapacityResult } from './result.ts';
import type { SearchConfig } from './search.ts';

export interface CapacityRecord {
  copts: CapacityOptions;
  result: CapacityResult;
  view: CapacityView;
  startTime: Date;
  endTime: Date;
  engine: string;
}

function capacityJson(r: CapacityRecord): Record<string, unknown> {
  const { copts, result, view } = r;
  const search: SearchConfig = copts.search;
  return {
    scenario: copts.run.scenario,
    knob: copts.knob,
    trend: copts.trend,
    capacity: result.capacity,
    breaking: result.breaking,
    stop: result.stop,
    exitCode: result.exitCode,
    verdict: result.verdictText,
    gates: result.gates,
    search: { ...search, stepDuration: copts.stepDuration, warmup: copts.warmup, repeat: copts.repeat },
    steps: view.steps,
    engine: r.engine,
    kit: kitVersion(),
    git: gitCommit(),
    startTime: r.startTime.toISOString(),
    endTime: r.endTime.toISOString(),
    durationSeconds: (r.endTime.getTime() - r.startTime.getTime()) / 1000,
  };
}

function summaryMd(r: CapacityRecord, dir: string): string {
  const { headers, rows } = capacityStepRows(r.view);
  const cell = (c: string) => c.replace(/\|/g, '\\|');
  const lines = [
    `# Capacity: ${r.view.scenario}`,
    '',
    `**${r.result.capacity === null ? 'No capacity' : `Capacity ${formatNumber(r.result.capacity)} ${r.view.unit}`}** — exit ${r.result.exitCode} (${exitMeaning(r.result.exitCode)})`,
    '',
    r.result.verdictText,
    '',
    `Knob \`${r.view.knob}\`, main trend \`${r.view.trend.metric}\`${r.view.trend.bound !== null ? ` (goodput: samples ≤ ${r.view.trend.bound})` : ''}; steps of ${r.copts.stepDuration} after a ${r.copts.warmup} warm-up, ${r.copts.repeat} run(s) each.`,
    '',
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
    '',
  ];
  if (r.result.gates.length) {
    lines.push('| gate | expression | observed | result | note |', '|---|---|---|---|---|');
    for (const g of r.result.gates)
      lines.push(`| ${g.name} | ${cell(g.expression)} | ${formatNumber(g.observed)} | ${g.ok ? 'pass' : 'FAIL'} | ${cell(g.note)} |`); // prettier-ignore
    lines.push('');
  }
  lines.push(`Results: ${dir} (each step's folder has its own summary.md and report.html).`, '');
  return lines.join('\n');
}

function junitXml(r: CapacityRecord): string {
  const suite = `k6-llm-perf.capacity.${r.view.scenario}`;
  const cases: string[] = [];
  let failures = 0;
  let errors = 0;
  for (const s of r.view.steps) {
    // A step that breaks above the capacity is the search working, not a failure; an unjudged one is an error.
    const err = s.broke?.startsWith('exit ') ? `      <error type="${escapeXml(s.broke)}" message="step ${s.index} could not be judged: ${escapeXml(s.broke)}"/>` : ''; // prettier-ignore
    if (err) errors++;
    const name = `step ${s.index}: ${formatNumber(s.load)} ${r.view.unit} ${s.held ? 'holds' : `breaks${s.broke ? `: ${s.broke}` : ''}`}`;
    cases.push(`    <testcase classname="${escapeXml(suite)}.step" name="${escapeXml(name)}" time="0"${err ? `>\n${err}\n    </testcase>` : '/>'}`); // prettier-ignore
  }
  for (const g of r.result.gates) {
    const name = `${g.name} ${g.expression}`;
    if (g.ok) cases.push(`    <testcase classname="${escapeXml(suite)}.gate" name="${escapeXml(name)}" time="0"/>`);
    else {
      failures++;
      const msg = `${name}: observed ${formatNumber(g.observed)}${g.note ? ` (${g.note})` : ''}`;
      cases.push(`    <testcase classname="${escapeXml(suite)}.gate" name="${escapeXml(name)}" time="0">\n      <failure type="gate" message="${escapeXml(msg)}">${escapeXml(r.result.verdictText)}</failure>\n    </testcase>`); // prettier-ignore
    }
  }
  const time = ((r.endTime.getTime() - r.startTime.getTime()) / 1000).toFixed(3);
  const attrs = `tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${time}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="k6-llm-perf" ${attrs}>`,
    `  <testsuite name="${escapeXml(suite)}" ${attrs} timestamp="${r.startTime.toISOString()}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** Writes every file of the folder; report.html last (a failure there is a warning, the rest stands). */
export async function writeCapacityFiles(r: CapacityRecord, dir: ResultsDir, log: (l: string) => void): Promise<void> {
  writeJson(dir.file('capacity.json'), capacityJson(r));
  writeFileSync(dir.file('summary.md'), summaryMd(r, dir.dir));
  writeFileSync(dir.file('junit.xml'), junitXml(r));
  try {
    await writeCapacityReport(dir.dir, r.view);
  } catch (err) {
    log(`warning: report.html not written: ${messageOf(err)}`);
  }
}
