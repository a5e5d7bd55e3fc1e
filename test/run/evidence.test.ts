import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countExceptions, readEvidence } from '../../run/evidence.ts';

describe('countExceptions', () => {
  it('counts the Node engine and k6 stack-trace lines per scenario', () => {
    const log = [
      'ERRO[0002] Error: boom',
      '    at consumer (file:///x/outbox.js:10:9)  executor=per-vu-iterations scenario=consumer source=stacktrace',
      'time="2026-12-06T10:00:00Z" level=error msg="TypeError: x is undefined\\n\\tat business (file:///x.js:3:1)" executor=constant-arrival-rate scenario=business source=stacktrace',
      'ERRO[0003] Uncaught (in promise) Error: late  source=stacktrace',
      'INFO[0003] a console line that says scenario=consumer  source=console',
    ].join('\n');
    assert.deepEqual(countExceptions(log), { total: 3, byScenario: { consumer: 1, business: 1, '(none)': 1 } });
  });
});

describe('readEvidence', () => {
  it('reads samples.json counts and reports null for a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evidence-'));
    try {
      writeFileSync(join(dir, 'samples.json'), JSON.stringify({ version: 1, source: 'engine', counts: { a: 2 } }));
      assert.deepEqual(
        readEvidence(join(dir, 'samples.json'), join(dir, 'none.log'), () => undefined),
        { samples: { a: 2 }, exceptions: null },
      );
      const warnings: string[] = [];
      writeFileSync(join(dir, 'bad.json'), '{"counts": 1}');
      assert.equal(readEvidence(join(dir, 'bad.json'), join(dir, 'none.log'), (l) => warnings.push(l)).samples, null);
      assert.match(warnings[0] ?? '', /bad\.json: expected/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
