/**
 * CLI conventions: `--version`/`-V`, `engine version`, and the colour rule (NO_COLOR, FORCE_COLOR,
 * --no-color, a terminal) for the end-of-test summary of `engine run` and `engine merge`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { shouldColor } from '../../engine/summary/color.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/k6-llm-perf.js');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const ESC = '\x1b[';

let dir: string;
let script: string;
let part: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-conventions-'));
  script = join(dir, 'tiny.js');
  part = join(dir, 'part.json');
  writeFileSync(
    script,
    "export const options = { vus: 1, iterations: 1, thresholds: { iterations: ['count>0'] } };\nexport default function () {}\n",
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI with stdout on a pipe, NO_COLOR and FORCE_COLOR unset unless given. */
function cli(args: string[], env: Record<string, string> = {}) {
  const base = { ...process.env };
  delete base.NO_COLOR;
  delete base.FORCE_COLOR;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...base, ...env }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('version', () => {
  for (const flag of ['--version', '-V']) {
    it(`${flag} prints the kit's version and exits 0`, () => {
      const r = cli([flag]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), VERSION);
    });
  }

  it('engine version prints a k6-like line', () => {
    const r = cli(['engine', 'version']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout.trim(),
      `k6-llm-perf engine v${VERSION} (node ${process.version}, ${process.platform}/${process.arch})`,
    );
  });
});

describe('the colour rule', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  it('colours a terminal, not a pipe', () => {
    assert.equal(shouldColor({ stream: tty, env: {} }), true);
    assert.equal(shouldColor({ stream: pipe, env: {} }), false);
  });
  it('NO_COLOR (any non-empty value) and --no-color win over everything', () => {
    assert.equal(shouldColor({ stream: tty, env: { NO_COLOR: '1' } }), false);
    assert.equal(shouldColor({ stream: tty, env: { NO_COLOR: 'yes', FORCE_COLOR: '1' } }), false);
    assert.equal(shouldColor({ stream: tty, noColor: true, env: { FORCE_COLOR: '1' } }), false);
    assert.equal(shouldColor({ stream: tty, env: { NO_COLOR: '' } }), true);
  });
  it('FORCE_COLOR (non-empty, not "0") colours through a pipe', () => {
    assert.equal(shouldColor({ stream: pipe, env: { FORCE_COLOR: '1' } }), true);
    assert.equal(shouldColor({ stream: pipe, env: { FORCE_COLOR: 'true' } }), true);
    assert.equal(shouldColor({ stream: pipe, env: { FORCE_COLOR: '0' } }), false);
    assert.equal(shouldColor({ stream: pipe, env: { FORCE_COLOR: '' } }), false);
  });
});

describe('engine run and engine merge summaries', () => {
  it('engine run: plain through a pipe, coloured with FORCE_COLOR=1', () => {
    const plain = cli(['engine', 'run', '-q', script]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /iterations/);
    assert.ok(!plain.stdout.includes(ESC), 'no escape codes through a pipe');
    const forced = cli(['engine', 'run', '-q', '--part-export', part, script], { FORCE_COLOR: '1' });
    assert.equal(forced.code, 0, forced.stderr);
    assert.ok(forced.stdout.includes(ESC), 'FORCE_COLOR=1 colours through a pipe');
  });

  it('engine run: NO_COLOR=1 and --no-color (before or after the command) beat FORCE_COLOR', () => {
    for (const [args, env] of [
      [['engine', 'run', '-q', script], { FORCE_COLOR: '1', NO_COLOR: '1' }],
      [['--no-color', 'engine', 'run', '-q', script], { FORCE_COLOR: '1' }],
      [['engine', 'run', '--no-color', '-q', script], { FORCE_COLOR: '1' }],
    ] as const) {
      const r = cli([...args], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /iterations/);
      assert.ok(!r.stdout.includes(ESC), `no escape codes with ${args.join(' ')} ${JSON.stringify(env)}`);
    }
  });

  it('engine merge follows the same rule', () => {
    assert.ok(!cli(['engine', 'merge', part]).stdout.includes(ESC));
    assert.ok(cli(['engine', 'merge', part], { FORCE_COLOR: '1' }).stdout.includes(ESC));
    assert.ok(!cli(['engine', 'merge', part], { FORCE_COLOR: '1', NO_COLOR: '1' }).stdout.includes(ESC));
    assert.ok(!cli(['--no-color', 'engine', 'merge', part], { FORCE_COLOR: '1' }).stdout.includes(ESC));
  });

  const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
  it(
    'engine run on a terminal (a pty from util-linux `script`): coloured, and not with NO_COLOR=1',
    { skip: !hasScript && 'no `script` command' },
    () => {
      const onPty = (env: string) => {
        const cmd = `env -u FORCE_COLOR -u NO_COLOR ${env} '${process.execPath}' '${BIN}' engine run -q '${script}'`;
        const r = spawnSync('script', ['-qec', cmd, '/dev/null'], {
          cwd: ROOT,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /iterations/);
        return r.stdout.includes(ESC);
      };
      assert.equal(onPty(''), true, 'a terminal gets colour');
      assert.equal(onPty('NO_COLOR=1'), false, 'NO_COLOR=1 on a terminal: none');
    },
  );
});
