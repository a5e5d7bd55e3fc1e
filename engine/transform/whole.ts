/**
 * The edits of the whole-script rewrite (widen.ts decides which functions become async):
 *
 *   function get(u) { return http.get(u); }   ->  async function get(u) { return (await __k6.hold(__k6.twin(http.get)(u))); }
 *   get(url)                                  ->  (await get(url))            in a function made async
 *   urls.forEach((u) => { get(u); })          ->  (await __k6.seq(urls, 'forEach', async (u) => { (await get(u)); }))
 *   group('g', browse)                        ->  (await group('g', browse))  when browse was made async
 *
 * `__k6.seq(array, method, callback, ...rest)` (runtime/sequential.ts) runs the Array method's
 * callbacks one after another, awaiting each, and returns what the method would.
 */
import MagicString from 'magic-string';
import { child, children, memberName, type AstNode } from './ast.ts';
import type { CallbackApi } from './blocking-apis.ts';
import { SEQ_METHODS, widen, type Fallback, type Functions, type Site, type Tree } from './widen.ts';

export type Classified = { kind: 'await' } | { kind: 'twin' } | { kind: 'callback'; api: CallbackApi } | null;

export interface WholeResult {
  s: MagicString;
  calls: number;
  functions: number;
  loops: number;
  fallback: Fallback | null;
}

function callbacksOfApi(call: AstNode, api: CallbackApi, fns: Functions): AstNode[] {
  const arg = children(call, 'arguments')[api.arg];
  if (!arg) return [];
  if (api.shape === 'function') {
    const f = fns.resolve(arg);
    return f ? [f] : [];
  }
  if (arg.type !== 'ObjectExpression') return [];
  const out: AstNode[] = [];
  for (const p of children(arg, 'properties')) {
    const value = p.type === 'Property' && p.kind === 'init' ? child(p, 'value') : null;
    const f = value ? fns.resolve(value) : null;
    if (f) out.push(f);
  }
  return out;
}

/** Every call of the script, classified. */
export function collectSites(tree: Tree, fns: Functions, classify: (call: AstNode) => Classified): Map<AstNode, Site> {
  const sites = new Map<AstNode, Site>();
  for (const call of tree.calls) {
    const base = { call, parent: tree.parent.get(call) ?? null, fn: tree.enclosingFn(call) };
    const k = classify(call);
    const callee = child(call, 'callee')!;
    if (k?.kind === 'callback') {
      sites.set(call, { ...base, kind: 'callback', api: k.api, callbacks: callbacksOfApi(call, k.api, fns) });
    } else if (k) {
      sites.set(call, { ...base, kind: k.kind });
    } else if (callee.type === 'MemberExpression' && !callee.optional && !call.optional) {
      const name = memberName(callee);
      const cb = fns.resolve(children(call, 'arguments')[0] ?? null);
      if (name !== null && (SEQ_METHODS.has(name) || name === 'sort') && cb)
        sites.set(call, { ...base, kind: 'seq', callbacks: [cb] });
      else sites.set(call, { ...base, kind: 'other' });
    } else {
      const target = call.optional ? null : fns.resolve(callee);
      sites.set(call, target ? { ...base, kind: 'user', target } : { ...base, kind: 'other' });
    }
  }
  return sites;
}

/** Where `async ` goes to make `fn` async: before a method's key, else at the function. */
function asyncAt(fn: AstNode, tree: Tree): number {
  const holder = tree.parent.get(fn);
  return holder?.type === 'Property' && holder.method === true ? holder.start : fn.start;
}

export function rewriteWhole(code: string, tree: Tree, fns: Functions, sites: Map<AstNode, Site>): WholeResult {
  const s = new MagicString(code);
  const { converted, fallback } = widen(tree, fns, sites);
  if (fallback) return { s, calls: 0, functions: 0, loops: 0, fallback };
  const awaits = (fn: AstNode | null): boolean => fn !== null && (fn.async === true || converted.has(fn));
  let calls = 0;
  let loops = 0;
  const ordered = [...sites.values()].sort((a, b) => a.call.start - b.call.start || b.call.end - a.call.end);
  for (const site of ordered) {
    if (!awaits(site.fn)) continue;
    const { call } = site;
    const awaited = site.parent?.type === 'AwaitExpression';
    const blockingCb = (site.callbacks ?? []).some((cb) => converted.has(cb));
    if (site.kind === 'twin') {
      s.appendLeft(call.start, '(await __k6.hold(__k6.twin(');
      s.appendLeft(child(call, 'callee')!.end, ')');
      s.appendLeft(call.end, '))');
      calls++;
    } else if ((site.kind === 'await' || (site.kind === 'user' && converted.has(site.target!))) && !awaited) {
      s.appendLeft(call.start, site.kind === 'await' ? '(await __k6.hold(' : '(await ');
      s.appendLeft(call.end, site.kind === 'await' ? '))' : ')');
      calls++;
    } else if (site.kind === 'callback' && !awaited && (site.callbacks ?? []).some((cb) => awaits(cb))) {
      s.appendLeft(call.start, '(await ');
      s.appendLeft(call.end, ')');
    } else if (site.kind === 'seq' && blockingCb) {
      const callee = child(call, 'callee')!;
      const first = children(call, 'arguments')[0]!;
      s.appendLeft(call.start, '(await __k6.seq(');
      s.overwrite(child(callee, 'object')!.end, first.start, `, ${JSON.stringify(memberName(callee))}, `, {
        contentOnly: true,
      });
      s.appendLeft(call.end, ')');
      loops++;
    }
  }
  for (const fn of converted) s.appendLeft(asyncAt(fn, tree), 'async ');
  return { s, calls, functions: converted.size, loops, fallback: null };
}
