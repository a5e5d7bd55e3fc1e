/**
 * A VU: one instance of the script (its own module instances and module-level state), the
 * iteration loop body with k6's built-in iteration metrics, and the lifecycle functions.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { format } from 'node:util';
import { InterruptError, ScriptError, TestAbortError } from '../errors.ts';
import type { ExecVu, IterationOutcome, ScenarioRun } from '../executors/context.ts';
import type { VuPhase } from '../modules/api.ts';
import { preludeLength } from './bundle.ts';
import { globalValues } from './globals.ts';
import type { ScriptHooks } from './script.ts';
import { mapStack } from './stack-map.ts';
import type { VuHost } from './host.ts';
import { VuState } from './vu-state.ts';
import { Interrupt } from './interrupt.ts';
import { twinOf } from './blocking.ts';
import { seq } from './sequential.ts';

type Fn = (data?: unknown) => unknown;
const fileCache = new Map<string, Buffer>();

export class Vu implements ExecVu {
  readonly state: VuState;
  private exports: Record<string, unknown> = {};
  private readonly hooks: ScriptHooks;
  private current: Interrupt | null = null;
  private execFn: Fn | null = null;
  private data: unknown;
  private dataReady = false;
  constructor(
    readonly idInInstance: number,
    readonly idInTest: number,
    private readonly host: VuHost,
  ) {
    this.state = new VuState(idInInstance, idInTest, host);
    const st = this.state;
    this.hooks = { setIter: () => undefined, hold: (p) => st.hold(p), twin: twinOf, seq };
  }

  /**
   * Runs the init context. Throws ScriptError (exit 107) when the script throws; a script with
   * top-level await returns a promise (its init context ends when the module body settles).
   */
  init(): void | Promise<void> {
    const st = this.state;
    const cache = new Map<string, unknown>();
    const require = (spec: string): unknown => {
      let inst = cache.get(spec);
      if (inst !== undefined) return inst;
      const factory = this.host.modules.get(spec);
      if (!factory) throw new Error(`unknown module "${spec}": run this script with the k6 binary`);
      inst = { __esModule: true, ...factory(st) };
      cache.set(spec, inst);
      return inst;
    };
    const module = { exports: {} as Record<string, unknown> };
    st.phaseNow = 'init';
    const failed = (err: unknown) =>
      new ScriptError(`the init context of ${this.host.script.path} threw: ${this.describeMapped(err)}`, {
        cause: err,
      });
    const open = (p: string, m?: string) => this.open(p, m);
    const console = this.console();
    const vuGlobals = { require, __VU: this.idInTest, __ENV: st.env, open, console };
    let body: unknown;
    try {
      body = this.host.factory(
        require,
        module,
        module.exports,
        this.idInTest,
        st.env,
        open,
        console,
        this.hooks,
        ...globalValues(st, vuGlobals),
      );
    } catch (err) {
      throw failed(err);
    }
    this.exports = module.exports;
    if (body instanceof Promise || st.timers.hasPending()) return this.initLoop(body, () => module.exports, failed);
  }

  /**
   * The rest of an init context that awaits at the top level or set k6/timers: as k6's event loop,
   * it ends once the module body settled and its timers ran (a throwing callback fails it).
   */
  private async initLoop(
    body: unknown,
    exports: () => Record<string, unknown>,
    failed: (err: unknown) => Error,
  ): Promise<void> {
    const st = this.state;
    try {
      await body;
      this.exports = exports();
      await st.timers.settle(null, () => false);
    } catch (err) {
      throw failed(err);
    } finally {
      st.timers.reset();
    }
  }

  /** The script's exports (options, default, setup, ...). */
  get scriptExports(): Readonly<Record<string, unknown>> {
    return this.exports;
  }

  async iterate(scn: ScenarioRun, local: number, global: number): Promise<IterationOutcome> {
    const st = this.state;
    if (scn !== st.scenario) this.enterScenario(scn);
    st.iterationInInstance = local;
    st.iterationInTest = global;
    this.hooks.setIter(st.iterationInScenario);
    const ac = new Interrupt();
    this.current = ac;
    st.signal = ac;
    st.phaseNow = 'iteration';
    if (st.groupPath !== '') st.setGroup('');
    const start = performance.now();
    let outcome: IterationOutcome | 'aborting' = 'completed';
    try {
      const exec = this.execFn!; // called as a plain function: `this` is undefined in it, as in k6
      const r = exec(this.setupData()) as { then?: unknown } | undefined;
      if (r && typeof r.then === 'function') await r;
      // k6's event loop: the iteration ends once its timers ran and its sockets closed (a timer
      // callback may open a socket, a socket's handler may set a timer)
      do {
        await st.timers.settle(ac, () => st.interrupted);
        await st.settleLoopWork();
      } while (st.timers.hasPending() || st.hasLoopWork());
    } catch (err) {
      outcome = this.iterationError(err, ac);
    }
    st.timers.reset();
    st.sleeps.endIteration();
    if (!this.host.options.noCookiesReset) st.cookieJar.reset();
    // k6 closes the VU's connections after each iteration with this option (js/runner.go).
    if (this.host.options.noVUConnectionReuse) this.host.http.endIteration(st.idInInstance);
    st.iterationInScenario++;
    if (st.groupPath !== '') st.setGroup('');
    // The iteration that called exec.test.abort() counts, as in k6 (iterations, iteration_duration).
    const aborting = outcome === 'aborting';
    if (outcome !== 'interrupted' && !aborting && st.interrupted) outcome = 'interrupted';
    if (outcome !== 'interrupted') {
      const elapsed = performance.now() - start;
      const tags = st.currentTags();
      this.host.sink.add('iteration_duration', elapsed, tags);
      this.host.sink.add('iterations', 1, tags);
      const min = this.host.options.minIterationDuration;
      if (min > elapsed && !aborting) await Promise.resolve(st.wait(min - elapsed)).catch(() => undefined);
    }
    this.current = null;
    st.signal = null;
    return outcome === 'aborting' ? 'completed' : outcome;
  }

  interrupt(): void {
    this.current?.abort();
  }

  /** Runs setup / teardown / handleSummary if exported; ScriptError when it throws. */
  async lifecycle(name: 'setup' | 'teardown' | 'handleSummary', arg?: unknown): Promise<unknown> {
    const fn = this.exports[name];
    if (typeof fn !== 'function') return undefined;
    const st = this.state;
    const phase: VuPhase = name === 'handleSummary' ? 'summary' : (name as VuPhase);
    st.phaseNow = phase;
    st.scenario = null;
    st.setGroup(name === 'handleSummary' ? '' : `::${name}`);
    const ac = new Interrupt();
    this.current = ac;
    st.signal = ac;
    try {
      const out = await (fn as Fn)(arg);
      await st.timers.settle(ac, () => st.interrupted); // as an iteration, it ends once its k6/timers callbacks ran
      return out;
    } catch (err) {
      if (err instanceof TestAbortError) throw err;
      throw new ScriptError(`${name}() threw: ${this.describeMapped(err)}`, { cause: err });
    } finally {
      st.timers.reset();
      this.current = null;
      st.signal = null;
      st.cookieJar.reset(); // k6 runs setup/teardown on a VU of their own: their cookies reach no iteration
    }
  }

  async close(): Promise<void> {
    for (const fn of this.state.closers.splice(0)) {
      try {
        await fn();
      } catch (err) {
        this.host.log('WARN', `closing a module of VU ${this.idInTest} failed: ${describe(err)}`);
      }
    }
  }

  private enterScenario(scn: ScenarioRun): void {
    const st = this.state;
    st.scenario = scn;
    for (const k of Object.keys(st.env)) delete st.env[k];
    Object.assign(st.env, this.host.baseEnv, scn.config.env);
    st.iterationInScenario = 0;
    st.invalidateTags();
    const fn = this.exports[scn.config.exec];
    if (typeof fn !== 'function')
      throw new ScriptError(
        `scenario ${scn.config.name}: exec function "${scn.config.exec}" is not exported by the script`,
      );
    this.execFn = fn as Fn;
  }

  private setupData(): unknown {
    if (!this.dataReady) {
      this.data = this.host.setupDataJson ? JSON.parse(this.host.setupDataJson) : undefined;
      this.dataReady = true;
    }
    return this.data;
  }

  private iterationError(err: unknown, signal: Interrupt): IterationOutcome | 'aborting' {
    if (err instanceof TestAbortError) {
      this.host.abortTest(err.message);
      return 'aborting';
    }
    if (err instanceof InterruptError || signal.aborted) return 'interrupted';
    const scn = this.state.scenario!;
    this.host.log('ERRO', this.describeMapped(err), {
      executor: scn.config.executor,
      scenario: scn.config.name,
      source: 'stacktrace',
    });
    return 'failed';
  }

  /** describe(err) with the stack's frames at the script's original files and lines. */
  private describeMapped(err: unknown): string {
    const { path, code } = this.host.script;
    return mapStack(describe(err), path, code, preludeLength(this.host.script));
  }

  private open(path: string, mode?: string): unknown {
    this.state.initOnly('open()');
    const abs = resolve(dirname(this.host.script.path), path);
    let buf = fileCache.get(abs);
    if (!buf) {
      try {
        buf = readFileSync(abs);
      } catch (err) {
        throw new Error(`open(${JSON.stringify(path)}): cannot read ${abs}: ${(err as Error).message}`);
      }
      fileCache.set(abs, buf);
    }
    if (mode === 'b') return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    return buf.toString('utf8');
  }

  private console(): Console {
    const out =
      (level: 'INFO' | 'WARN' | 'ERRO' | 'DEBU') =>
      (...args: unknown[]) =>
        this.host.log(level, format(...args), { source: 'console' });
    return {
      ...console,
      log: out('INFO'),
      info: out('INFO'),
      warn: out('WARN'),
      error: out('ERRO'),
      debug: () => undefined,
    } as Console;
  }
}

export function describe(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return typeof err === 'string' ? err : JSON.stringify(err);
}
