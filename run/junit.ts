/**
 * junit.xml: one testsuite per run, one testcase per threshold, run-level check and regression
 * rule; a failing check carries a <failure> with the observed value, a skipped one <skipped/>.
 * An engine error without checks (exit 104/107/108) becomes one failing "engine" testcase.
 */
import type { Verdict } from './verdict.ts';
import { formatNumber, observedText } from './format.ts';

export function escapeXml(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
      // XML 1.0 forbids most control characters, even escaped.
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
  );
}

export interface JunitInput {
  scenario: string;
  verdict: Verdict;
  durationSeconds: number;
  timestamp: string;
}

function testcase(className: string, name: string, inner: string): string {
  const open = `    <testcase classname="${escapeXml(className)}" name="${escapeXml(name)}" time="0"`;
  return inner ? `${open}>\n${inner}\n    </testcase>` : `${open}/>`;
}

export function renderJunit({ scenario, verdict, durationSeconds, timestamp }: JunitInput): string {
  const cases: string[] = [];
  let failures = 0;
  let skipped = 0;
  for (const c of verdict.checks) {
    let inner = '';
    if (c.skipped) {
      skipped++;
      inner = `      <skipped message="${escapeXml(c.note ?? 'not evaluated')}"/>`;
    } else if (!c.ok) {
      failures++;
      const message = `${c.metric} ${c.expression}: observed ${formatNumber(c.observed)}`;
      inner = `      <failure type="${c.source}" message="${escapeXml(message)}">${escapeXml(`observed ${observedText(c)}`)}</failure>`;
    }
    cases.push(testcase(`k6-llm-perf.${scenario}.${c.source}`, `${c.metric}: ${c.expression}`, inner));
  }
  const engineFailed = verdict.exitCode !== 0 && verdict.exitCode !== 99;
  if (engineFailed) {
    failures++;
    const message = `exit code ${verdict.exitCode}${verdict.notes.length ? `: ${verdict.notes.join('; ')}` : ''}`;
    cases.push(
      testcase(
        `k6-llm-perf.${scenario}.run`,
        'run completed',
        `      <error type="exit-${verdict.exitCode}" message="${escapeXml(message)}"/>`,
      ),
    );
  }
  const tests = cases.length;
  const time = durationSeconds.toFixed(3);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="k6-llm-perf" tests="${tests}" failures="${engineFailed ? failures - 1 : failures}" errors="${engineFailed ? 1 : 0}" skipped="${skipped}" time="${time}">`,
    `  <testsuite name="k6-llm-perf.${escapeXml(scenario)}" tests="${tests}" failures="${engineFailed ? failures - 1 : failures}" errors="${engineFailed ? 1 : 0}" skipped="${skipped}" time="${time}" timestamp="${escapeXml(timestamp)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
