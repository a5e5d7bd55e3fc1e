/**
 * Step 7: the verdict and the results folder. Reads summary.json, re-evaluates the thresholds,
 * adds the run checks and the regression rows, folds in the errors that stopped the run, then
 * writes verdict.json, meta.json, junit.xml, summary.md and report.html and prints the table.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { KitError } from '../engine/exit-codes.ts';
import { decide, runChecks, thresholdChecks, type Evidence, type Verdict, type VerdictCheck } from './verdict.ts';
import { readEvidence } from './evidence.ts';
import { exportRequests } from './requests-export.ts';
import { compareRequestsFile, formatServerTimings } from './server-timings.ts';
import { renderJunit } from './junit.ts';
import { exitMeaning, renderSummaryMd, renderTable } from './summary-md.ts';
import { gitCommit, kitVersion, redactEnv, redactUrl, writeJson } from './results-dir.ts';
import { RunExit, RunInternalError, messageOf } from './errors.ts';
import type { RunRecord } from './record.ts';
import type { RunContext } from './record.ts';
import type { RunOptions } from './options.ts';
import type { SummaryFile } from './summary-values.ts';
import type { Comparison } from '../report/index.ts';

function readSummary(path: string, log: (l: string) => void): SummaryFile | null {
  if (!existsSync(path)) return null;
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as SummaryFile;
    if (data && typeof data.metrics === 'object') return data;
    log(`warning: ${path} has no "metrics" object`);
  } catch (err) {
    log(`warning: ${path} is not valid JSON: ${messageOf(err)}`);
  }
  return null;
}

/** The exit code of an error that stopped the run. */
export function exitCodeOf(err: unknown): number {
  return err instanceof KitError ? err.exitCode : 1;
}

/** One regression row as a verdict check: a regression fails; inconclusive fails only with --strict; the reason is the note. */
function regressionCheck(r: Comparison['rows'][number], strict: boolean): VerdictCheck {
  const change = r.worsePct === null ? '' : `${r.worsePct >= 0 ? '+' : ''}${r.worsePct.toFixed(1)}% vs baseline; `;
  const p = r.pValue === null ? '' : `p=${r.pValue < 1e-4 ? r.pValue.toExponential(1) : r.pValue.toPrecision(2)}; `;
  const skipped = r.verdict === 'missing' || (r.verdict === 'inconclusive' && !strict);
  return {
    source: 'regression',
    metric: r.metric,
    expression: `${r.stat} worse by >${r.maxIncreasePct ?? 0}%`,
    observed: r.ratio,
    ok: r.verdict !== 'regressed' && !(r.verdict === 'inconclusive' && strict),
    ...(skipped ? { skipped: true } : {}),
    note:
      r.verdict === 'missing'
        ? 'missing on one side'
        : `${r.verdict === 'inconclusive' ? 'inconclusive: ' : ''}${change}${p}${r.reason}`,
  };
}

async function regression(
  opts: RunOptions,
  rec: RunRecord,
  log: (l: string) => void,
): Promise<{ checks: VerdictCheck[]; comparison: Comparison | null }> {
  if (opts.baseline === undefined) return { checks: [], comparison: null };
  const strict = opts.strict === true;
  try {
    const { compareResults } = await import('../report/index.ts');
    const comparison = await compareResults(
      opts.baseline,
      rec.dir.dir,
      rec.file.regression.length ? rec.file.regression : undefined,
      { strict },
    );
    const checks = comparison.rows.filter((r) => r.verdict !== 'info').map((r) => regressionCheck(r, strict));
    return { checks, comparison };
  } catch (err) {
    log(`run: --baseline ${[opts.baseline].flat().join(', ')}: ${messageOf(err)}`);
    rec.errors.push(err);
    return { checks: [], comparison: null };
  }
}

/** Thresholds and run checks, with the run's evidence: a check on a metric without samples fails. */
function evidenceChecks(
  rec: RunRecord,
  summary: SummaryFile,
  peaks: NonNullable<RunRecord['peaks']>,
  log: (l: string) => void,
): VerdictCheck[] {
  const evidence: Evidence = readEvidence(rec.dir.file('samples.json'), rec.dir.file('logs/engine.log'), log);
  const checks = [...thresholdChecks(rec.file, summary, evidence), ...runChecks(rec.file, summary, peaks, evidence)];
  if (evidence.samples === null) {
    checks.push({
      source: 'run',
      metric: 'samples.json',
      expression: 'present',
      observed: null,
      ok: false,
      note: 'the run left no sample counts: no evidence that any metric got samples',
    });
  }
  return checks;
}

function verdictOf(rec: RunRecord, summary: SummaryFile | null, checks: VerdictCheck[]): Verdict {
  const verdict = decide({ checks, engineExitCode: rec.execution?.exitCode ?? 0, haveSummary: summary !== null });
  if (rec.errors.length > 0) {
    verdict.exitCode = exitCodeOf(rec.errors[0]);
    // The engine's own notes only matter when it ran.
    if (!rec.execution) verdict.notes.length = 0;
    verdict.notes.unshift(...rec.errors.map((e) => messageOf(e)));
  }
  if (rec.aborted) {
    const reason = rec.abortReason;
    const internal = reason instanceof RunInternalError;
    verdict.exitCode = internal ? reason.exitCode : RunExit.EXTERNAL_ABORT;
    verdict.notes.unshift(internal ? messageOf(reason) : 'stopped by a signal (SIGINT/SIGTERM)');
  }
  verdict.ok = verdict.exitCode === RunExit.OK;
  return verdict;
}

function meta(opts: RunOptions, rec: RunRecord, verdict: Verdict): Record<string, unknown> {
  const seconds = ((rec.endTime ?? new Date()).getTime() - rec.startTime.getTime()) / 1000;
  const llm = rec.llm && 'url' in rec.llm ? { ...rec.llm, url: redactUrl(rec.llm.url) } : rec.llm;
  return {
    scenario: rec.entry.name,
    description: rec.file.description ?? null,
    thresholds: rec.file.file,
    engine: {
      kind: rec.engine.kind,
      version: rec.engine.version,
      reason: rec.engine.reason,
      args: rec.execution?.args ?? null,
    },
    infra: rec.infra ?? null,
    llm: llm ?? null,
    target: rec.target ?? null,
    seed: 42,
    overrides: opts.overrides,
    scriptEnv: rec.execution?.scriptEnv ?? redactEnv(opts.env),
    trendStats: rec.execution?.trendStats ?? null,
    peaks: rec.peaks ?? null,
    node: process.version,
    kit: kitVersion(),
    git: gitCommit(),
    startTime: rec.startTime.toISOString(),
    endTime: (rec.endTime ?? new Date()).toISOString(),
    durationSeconds: seconds,
    exitCode: verdict.exitCode,
    cleanupWarnings: rec.cleanupWarnings ?? [],
  };
}

async function writeHtml(dir: string, log: (l: string) => void): Promise<void> {
  if (!existsSync(`${dir}/summary.json`)) return;
  try {
    const { writeReport } = await import('../report/index.ts');
    await writeReport(dir);
  } catch (err) {
    log(`warning: report.html not written: ${messageOf(err)}`);
  }
}

/** requests.jsonl from the engine log's request records (scenarios that print them: llm-stream). */
async function writeRequests(rec: RunRecord, log: (l: string) => void): Promise<void> {
  try {
    const r = await exportRequests(rec.dir.file('logs/engine.log'), rec.dir.file('requests.jsonl'));
    if (r?.bad) log(`warning: requests.jsonl: ${r.bad} request record(s) in the engine log did not decode`);
    const c = r ? await compareRequestsFile(rec.dir.file('requests.jsonl')) : null;
    if (c) {
      writeJson(rec.dir.file('server-timings.json'), c);
      log(formatServerTimings(c));
    }
  } catch (err) {
    log(`warning: requests.jsonl not written: ${messageOf(err)}`);
  }
}

/** With --quiet the engine's output was hidden: on an error, show its last lines. */
function showEngineLogTail(path: string, log: (l: string) => void): void {
  if (!existsSync(path)) return;
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n').slice(-20);
  log(`last lines of ${path}:\n${lines.map((l) => `    ${l}`).join('\n')}`);
}

export async function finishRun(opts: RunOptions, ctx: RunContext, rec: RunRecord): Promise<Verdict> {
  const summary = readSummary(rec.dir.file('summary.json'), ctx.log);
  const peaks = rec.peaks ?? { target_peak_rss_mb: null, engine_peak_rss_mb: null };
  const checks = summary ? evidenceChecks(rec, summary, peaks, ctx.log) : [];
  const f = rec.componentFailure;
  if (f) {
    checks.push({
      source: 'run',
      metric: f.component,
      expression: 'healthy during the run',
      observed: null,
      ok: false,
      note: `down since ${f.since.toISOString()}: ${f.reason}`,
    });
  }
  const reg = summary && !rec.aborted ? await regression(opts, rec, ctx.log) : { checks: [], comparison: null };
  checks.push(...reg.checks);
  const verdict = verdictOf(rec, summary, checks);
  const m = meta(opts, rec, verdict);
  writeJson(rec.dir.file('verdict.json'), verdict);
  writeJson(rec.dir.file('meta.json'), m);
  writeFileSync(
    rec.dir.file('junit.xml'),
    renderJunit({
      scenario: rec.entry.name,
      verdict,
      durationSeconds: m.durationSeconds as number,
      timestamp: rec.startTime.toISOString(),
    }),
  );
  let md = renderSummaryMd({
    scenario: rec.entry.name,
    verdict,
    resultsDir: rec.dir.dir,
    meta: {
      engine: `${rec.engine.kind}`,
      infra: rec.infra?.provider,
      target: rec.target?.kind,
      durationSeconds: m.durationSeconds as number,
    },
  });
  if (reg.comparison) md += `\n${(await import('../report/index.ts')).comparisonMarkdown(reg.comparison)}\n`;
  writeFileSync(rec.dir.file('summary.md'), md);
  if (reg.comparison) writeJson(rec.dir.file('comparison.json'), reg.comparison);
  await writeRequests(rec, ctx.log);
  await writeHtml(rec.dir.dir, ctx.log);
  if (opts.quiet && verdict.exitCode !== 0 && verdict.exitCode !== 99)
    showEngineLogTail(rec.dir.file('logs/engine.log'), ctx.log);
  if (checks.length) ctx.out(`\n${renderTable(checks)}\n`);
  for (const note of verdict.notes) ctx.out(`note: ${note}\n`);
  ctx.out(`${rec.entry.name}: exit ${verdict.exitCode} (${exitMeaning(verdict.exitCode)}); results: ${rec.dir.dir}\n`);
  return verdict;
}
