/**
 * The rewrite: inside async functions, a call of a k6 API that blocks under k6 (blocking-apis.ts)
 * becomes an awaited call, so that the statements after it run only once it finished, as in k6.
 *
 *   sleep(1)                 ->  (await __k6.hold(sleep(1)))
 *   http.get(url)            ->  (await __k6.hold(__k6.twin(http.get)(url)))
 *   writer.produce(m)        ->  (await __k6.hold(writer.produce(m)))
 *   group('g', () => { sleep(1); })  ->  (await group('g', async () => { (await __k6.hold(sleep(1))); }))
 *
 * `__k6` is the VU's hook object (runtime/bundle.ts): `hold` marks the VU as blocked while the
 * promise runs (its k6/timers callbacks wait), `twin` gives a function's async twin.
 *
 * Where the rewrite starts: the functions that are async in the source, and the callbacks of
 * group()/check() called from them that make blocking calls (those become async; so do theirs).
 * Issue 16 (classic scripts) widens the start set in `asyncContexts` to every function that can
 * reach a blocking call; the edits stay the same. A call already awaited is left as it is, except
 * a twin call (`await http.get()` still needs the async twin).
 */
import { parse } from 'acorn';
import { fullAncestor } from 'acorn-walk';
import { analyze } from 'eslint-scope';
import MagicString, { type SourceMap } from 'magic-string';
import { child, children, isFunction, memberName, type AstNode } from './ast.ts';
import { blockingFunction, callbackApi, type CallbackApi } from './blocking-apis.ts';
import { Resolver } from './bindings.ts';
import { Functions, Tree, type Fallback } from './widen.ts';
import { collectSites, rewriteWhole } from './whole.ts';

export type CallKind = { kind: 'await' } | { kind: 'twin' } | { kind: 'callback'; api: CallbackApi };

interface CallSite {
  call: AstNode;
  parent: AstNode | null;
  /** The nearest enclosing function, or null at the top level. */
  fn: AstNode | null;
  kind: CallKind;
}

export interface RewriteResult {
  code: string;
  map: SourceMap;
  /** Blocking calls (and, for 'whole', calls of functions made async) turned into awaits. */
  calls: number;
  /** Functions made async: group/check callbacks ('async'), every function reaching a blocking call ('whole'). */
  callbacks: number;
  /** Array higher-order calls run one callback after another ('whole'). */
  loops: number;
  /** Why the whole-script rewrite cannot prove the script behaves the same ('whole'), with the construct's line and column. */
  fallback: (Fallback & { line: number; column: number }) | null;
}

/**
 * 'async': only inside async functions (issue 24; the code a VU on a thread of its own runs).
 * 'whole': every function that can reach a blocking call (issue 16; widen.ts).
 */
export type RewriteScope = 'async' | 'whole';

export class RewriteParseError extends Error {
  readonly code = 'E_ENGINE_REWRITE_PARSE';
  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`cannot parse ${file} for the blocking-call rewrite: ${message}`, options);
    this.name = 'RewriteParseError';
  }
}

/** `sourceType`: 'commonjs' for the engine's bundles (a function body), 'module' for ES module sources. */
export function rewriteBlockingCalls(
  code: string,
  file: string,
  sourceType: 'commonjs' | 'module' = 'commonjs',
  scope: RewriteScope = 'async',
): RewriteResult {
  let ast: AstNode;
  try {
    ast = parse(code, {
      ecmaVersion: 'latest',
      sourceType: sourceType === 'module' ? 'module' : 'script',
      allowReturnOutsideFunction: sourceType === 'commonjs',
      allowAwaitOutsideFunction: sourceType === 'commonjs', // a script with top-level await (runtime/esm-body.ts)
      allowHashBang: true,
      ranges: true, // eslint-scope reads node.range
    }) as unknown as AstNode;
  } catch (err) {
    throw new RewriteParseError(file, (err as Error).message, { cause: err });
  }
  const scopes = analyze(ast, { ecmaVersion: 2022, sourceType });
  const resolver = new Resolver(scopes);
  if (scope === 'whole') {
    const tree = new Tree(ast);
    const fns = new Functions(scopes, tree);
    const out = rewriteWhole(
      code,
      tree,
      fns,
      collectSites(tree, fns, (c) => classify(c, resolver)),
    );
    return {
      code: out.s.toString(),
      map: out.s.generateMap({ hires: true, source: file, includeContent: false }),
      calls: out.calls,
      callbacks: out.functions,
      loops: out.loops,
      fallback: out.fallback ? { ...out.fallback, ...lineOf(code, out.fallback.offset) } : null,
    };
  }
  const sites = collectCalls(ast, resolver);
  const { asyncFns, converted } = asyncContexts(ast, sites);
  return applyEdits(code, file, sites, asyncFns, converted);
}

function lineOf(code: string, offset: number): { line: number; column: number } {
  const before = code.slice(0, offset);
  const nl = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - nl - 1 };
}

function classify(call: AstNode, resolver: Resolver): CallKind | null {
  if (call.optional) return null;
  const callee = child(call, 'callee')!;
  if (callee.type === 'MemberExpression') {
    const inst = resolver.instanceOf(child(callee, 'object'));
    const method = memberName(callee);
    if (inst && method !== null && inst.methods.includes(method)) return { kind: 'await' };
  }
  const ref = resolver.moduleRef(callee);
  if (!ref || ref.path.length !== 1) return null;
  const fn = blockingFunction(ref.module, ref.path[0]!);
  if (fn) return { kind: fn.twin ? 'twin' : 'await' };
  const api = callbackApi(ref.module, ref.path[0]!);
  return api ? { kind: 'callback', api } : null;
}

function collectCalls(ast: AstNode, resolver: Resolver): CallSite[] {
  const sites: CallSite[] = [];
  // acorn-walk's types name acorn's Node; ours is the same object read structurally.
  fullAncestor(ast as never, (node: unknown, _state: unknown, ancestors: unknown[]) => {
    const call = node as AstNode;
    if (call.type !== 'CallExpression') return;
    const kind = classify(call, resolver);
    if (!kind) return;
    const chain = ancestors as AstNode[];
    let fn: AstNode | null = null;
    for (let i = chain.length - 2; i >= 0 && fn === null; i--) if (isFunction(chain[i]!)) fn = chain[i]!;
    sites.push({ call, parent: chain.length >= 2 ? chain[chain.length - 2]! : null, fn, kind });
  });
  return sites;
}

/** The function nodes a callback API call hands its callbacks in (inline functions only). */
export function callbacksOf(site: CallSite): AstNode[] {
  if (site.kind.kind !== 'callback') return [];
  const arg = children(site.call, 'arguments')[site.kind.api.arg];
  if (!arg) return [];
  if (site.kind.api.shape === 'function') return isFunction(arg) ? [arg] : [];
  if (arg.type !== 'ObjectExpression') return [];
  const out: AstNode[] = [];
  for (const p of children(arg, 'properties')) {
    const value = p.type === 'Property' && p.kind === 'init' ? child(p, 'value') : null;
    if (!value || !isFunction(value)) continue;
    if (p.method === true) asyncAt.set(value, p.start); // `ok(r) {}`: `async` goes before the key
    out.push(value);
  }
  return out;
}

/** Where `async ` goes to make a callback async, when it is not the function's own start. */
const asyncAt = new WeakMap<AstNode, number>();

/**
 * The functions whose blocking calls are awaited: the async ones, plus every group/check callback
 * reached from them that blocks (made async). Issue 16 widens this start set.
 */
export function asyncContexts(
  ast: AstNode,
  sites: readonly CallSite[],
): { asyncFns: Set<AstNode>; converted: Set<AstNode> } {
  const asyncFns = new Set<AstNode>();
  fullAncestor(ast as never, (node: unknown) => {
    const n = node as AstNode;
    if (isFunction(n) && n.async === true) asyncFns.add(n);
  });
  const byFn = new Map<AstNode | null, CallSite[]>();
  for (const s of sites) byFn.set(s.fn, [...(byFn.get(s.fn) ?? []), s]);
  const memo = new Map<AstNode, boolean>();
  const blocks = (fn: AstNode): boolean => {
    let v = memo.get(fn);
    if (v !== undefined) return v;
    memo.set(fn, false); // a cycle cannot happen through inline callbacks; guard anyway
    v = (byFn.get(fn) ?? []).some(
      (s) => s.kind.kind !== 'callback' || callbacksOf(s).some((cb) => cb.async === true || blocks(cb)),
    );
    memo.set(fn, v);
    return v;
  };
  const converted = new Set<AstNode>();
  for (let changed = true; changed;) {
    changed = false;
    for (const s of sites) {
      if (s.fn === null || !asyncFns.has(s.fn)) continue;
      for (const cb of callbacksOf(s)) {
        if (asyncFns.has(cb) || !blocks(cb) || cb.generator === true) continue;
        asyncFns.add(cb);
        converted.add(cb);
        changed = true;
      }
    }
  }
  return { asyncFns, converted };
}

function applyEdits(
  code: string,
  file: string,
  sites: readonly CallSite[],
  asyncFns: Set<AstNode>,
  converted: Set<AstNode>,
): RewriteResult {
  const s = new MagicString(code);
  let calls = 0;
  // Outer calls first, so that at a shared start offset the outer call's opening comes first.
  const ordered = [...sites].sort((a, b) => a.call.start - b.call.start || b.call.end - a.call.end);
  for (const site of ordered) {
    if (site.fn === null || !asyncFns.has(site.fn)) continue;
    const awaited = site.parent?.type === 'AwaitExpression';
    const { call } = site;
    if (site.kind.kind === 'twin') {
      s.appendLeft(call.start, '(await __k6.hold(__k6.twin(');
      s.appendLeft(child(call, 'callee')!.end, ')');
      s.appendLeft(call.end, '))');
      calls++;
    } else if (site.kind.kind === 'await' && !awaited) {
      s.appendLeft(call.start, '(await __k6.hold(');
      s.appendLeft(call.end, '))');
      calls++;
    } else if (site.kind.kind === 'callback' && !awaited && callbacksOf(site).some((cb) => asyncFns.has(cb))) {
      s.appendLeft(call.start, '(await ');
      s.appendLeft(call.end, ')');
    }
  }
  for (const fn of converted) s.appendLeft(asyncAt.get(fn) ?? fn.start, 'async ');
  return {
    code: s.toString(),
    map: s.generateMap({ hires: true, source: file, includeContent: false }),
    calls,
    callbacks: converted.size,
    loops: 0,
    fallback: null,
  };
}
