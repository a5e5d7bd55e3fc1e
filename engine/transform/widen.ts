/**
 * The whole-script rewrite (issue 16, classic k6 scripts): every function that can reach a
 * blocking call becomes async and every call of it is awaited, transitively over the bundle's
 * functions. A call graph is built over the functions a callee resolves to through scope analysis
 * (a function declaration, a named function expression, or a variable declared once from a
 * function); the functions that block are found by a fixed point over it.
 *
 * A function made async changes what its callers get (a promise), so the rewrite must see every
 * place it is used. Each use must be one of: a call (awaited), a callback of group()/check(), the
 * callback of an Array higher-order built-in (run by `__k6.seq`, one element after another), or an
 * export of the entry module (the engine awaits what it calls). Anything else (a blocking function
 * stored, passed to code the rewrite cannot see, used as a getter, setter, constructor or method,
 * a generator, `eval`/`Function` in the script, a sort comparator) is a `Fallback`: the engine
 * runs the script on threads instead, and says which construct, where, and why.
 */
import type { ScopeManager, Variable } from 'eslint-scope';
import { child, children, isFunction, isNode, memberName, type AstNode } from './ast.ts';
import type { CallbackApi } from './blocking-apis.ts';

/** Array methods whose blocking callback runs through `__k6.seq` (sequential, in order). */
export const SEQ_METHODS: ReadonlySet<string> = new Set([
  'forEach',
  'map',
  'filter',
  'reduce',
  'some',
  'every',
  'find',
  'findIndex',
  'flatMap',
]);

export interface Fallback {
  /** The construct, as a user would name it ("a getter", "eval"). */
  readonly construct: string;
  /** Offset in the rewritten source (mapped to file:line by the caller). */
  readonly offset: number;
  readonly why: string;
}

/** A call site of the script, with what the rewrite knows about it. */
export interface Site {
  call: AstNode;
  parent: AstNode | null;
  fn: AstNode | null;
  /** A k6 blocking call (await/twin), a group/check call, an Array method call, a call of a script function, or none. */
  kind: 'await' | 'twin' | 'callback' | 'seq' | 'user' | 'other';
  api?: CallbackApi;
  /** For 'user': the function called; for 'callback'/'seq': the callbacks (inline or resolved). */
  target?: AstNode;
  callbacks?: AstNode[];
}

/** Parent links and the enclosing function of every node. */
export class Tree {
  readonly parent = new Map<AstNode, AstNode>();
  readonly functions: AstNode[] = [];
  readonly calls: AstNode[] = [];
  /** `eval(...)`, `Function(...)`, `new Function(...)`, `with`: code the analysis cannot see through. */
  readonly dynamic: AstNode[] = [];
  constructor(root: AstNode) {
    const stack: AstNode[] = [root];
    while (stack.length) {
      const n = stack.pop()!;
      if (isFunction(n)) this.functions.push(n);
      else if (n.type === 'CallExpression') this.calls.push(n);
      if (n.type === 'WithStatement') this.dynamic.push(n);
      const callee = n.type === 'CallExpression' || n.type === 'NewExpression' ? child(n, 'callee') : null;
      if (callee?.type === 'Identifier' && (callee.name === 'eval' || callee.name === 'Function')) this.dynamic.push(n);
      for (const key of Object.keys(n)) {
        if (key === 'parent') continue;
        const v = n[key];
        const list = Array.isArray(v) ? v : [v];
        for (const c of list) {
          if (!isNode(c)) continue;
          this.parent.set(c, n);
          stack.push(c);
        }
      }
    }
  }
  enclosingFn(n: AstNode): AstNode | null {
    for (let p = this.parent.get(n); p; p = this.parent.get(p)) if (isFunction(p)) return p;
    return null;
  }
}

/** Resolves a callee to the script function it denotes, and gives a function's variable. */
export class Functions {
  private readonly refs = new Map<AstNode, Variable | null>();
  constructor(
    private readonly scopes: ScopeManager,
    private readonly tree: Tree,
  ) {
    for (const scope of scopes.scopes)
      for (const ref of scope.references) this.refs.set(ref.identifier as AstNode, ref.resolved);
  }

  /** The function node `expr` denotes (an inline function, `(0, f)`, or a once-bound name), or null. */
  resolve(expr: AstNode | null): AstNode | null {
    if (!expr) return null;
    if (isFunction(expr)) return expr;
    if (expr.type === 'SequenceExpression') {
      const parts = children(expr, 'expressions');
      return parts.length === 2 && parts[0]!.type === 'Literal' ? this.resolve(parts[1]!) : null;
    }
    if (expr.type !== 'Identifier') return null;
    const v = this.refs.get(expr);
    return v ? this.boundFunction(v) : null;
  }

  /** The function a variable holds for good: declared once, never assigned again. */
  boundFunction(v: Variable): AstNode | null {
    if (v.defs.length !== 1) return null;
    const def = v.defs[0]!;
    if (def.type === 'FunctionName') {
      return v.references.some((r) => r.isWrite()) ? null : (def.node as AstNode);
    }
    if (def.type !== 'Variable') return null;
    const declarator = def.node as AstNode;
    const init = child(declarator, 'init');
    if (!init || !isFunction(init) || child(declarator, 'id')?.type !== 'Identifier') return null;
    return v.references.filter((r) => r.isWrite()).length <= 1 ? init : null;
  }

  /**
   * Whether parameter `index` of script function `fn` is only ever called and awaited
   * (`await run()`): a function made async can be passed there and behave the same.
   */
  paramAwaited(fn: AstNode, index: number): boolean {
    const param = children(fn, 'params')[index];
    if (param?.type !== 'Identifier') return false;
    const v = this.scopes
      .getDeclaredVariables(fn)
      .find((x) => x.defs.some((d) => d.type === 'Parameter' && d.name === param));
    if (!v) return false;
    return v.references.every((r) => {
      if (r.isWrite()) return false;
      const id = r.identifier as AstNode;
      const call = this.tree.parent.get(id);
      return (
        call?.type === 'CallExpression' &&
        child(call, 'callee') === id &&
        this.tree.parent.get(call)?.type === 'AwaitExpression'
      );
    });
  }

  /** The variables bound to a function node (its declaration's name, its declarator's name). */
  variablesOf(fn: AstNode): Variable[] {
    const out = this.scopes
      .getDeclaredVariables(fn)
      .filter((v) => v.defs.some((d) => d.type === 'FunctionName' && d.node === fn));
    const parent = this.tree.parent.get(fn);
    if (parent?.type === 'VariableDeclarator' && child(parent, 'init') === fn)
      out.push(...this.scopes.getDeclaredVariables(parent));
    return out;
  }
}

const describeFn = (fn: AstNode): string => {
  const id = child(fn, 'id');
  return id ? `function ${id.name as string}` : 'a function';
};

/** What is wrong with using blocking function `fn` here, or null when the rewrite handles it. */
function misuse(fn: AstNode, tree: Tree): Fallback | null {
  if (fn.generator === true)
    return { construct: `generator ${describeFn(fn)}`, offset: fn.start, why: 'a generator cannot be made async' };
  const holder = tree.parent.get(fn);
  if (holder?.type === 'MethodDefinition') {
    const kind = holder.kind as string;
    const construct =
      kind === 'constructor'
        ? 'a constructor'
        : kind === 'get'
          ? 'a getter'
          : kind === 'set'
            ? 'a setter'
            : 'a class method';
    return {
      construct,
      offset: holder.start,
      why: `${construct} that blocks cannot be made async (its callers are not visible)`,
    };
  }
  if (holder?.type === 'Property' && (holder.kind === 'get' || holder.kind === 'set')) {
    const construct = holder.kind === 'get' ? 'a getter' : 'a setter';
    return { construct, offset: holder.start, why: `${construct} that blocks cannot be made async` };
  }
  return null;
}

/** Whether `ref` (an identifier or inline function) sits where the rewrite awaits or sequences it. */
function handledUse(ref: AstNode, tree: Tree, sites: Map<AstNode, Site>, fns: Functions): boolean {
  let node = ref;
  let parent = tree.parent.get(node);
  // `(0, f)(...)`: esbuild's call of an imported function.
  if (parent?.type === 'SequenceExpression' && children(parent, 'expressions').at(-1) === node) {
    node = parent;
    parent = tree.parent.get(node);
  }
  if (!parent) return false;
  if (parent.type === 'CallExpression') {
    if (child(parent, 'callee') === node) return true;
    const site = sites.get(parent);
    // helper('x', () => db.close()) where helper only ever does `await run()` with that parameter
    if (site?.kind === 'user' && fns.paramAwaited(site.target!, children(parent, 'arguments').indexOf(node)))
      return true;
    if (!site || (site.kind !== 'callback' && site.kind !== 'seq')) return false;
    if (site.kind === 'seq' && memberName(child(parent, 'callee')!) === 'sort') return false;
    return children(parent, 'arguments').indexOf(node) === (site.kind === 'seq' ? 0 : site.api!.arg);
  }
  // check(r, { 'ok': function ... }) / { ok(r) {...} }
  if (parent.type === 'Property') {
    const obj = tree.parent.get(parent);
    const call = obj && tree.parent.get(obj);
    const site = call && sites.get(call);
    if (site?.kind === 'callback' && site.api?.shape === 'object-of-functions') return true;
    // esbuild's entry exports: __export(src_exports, { default: () => src_default })
    return false;
  }
  if (parent.type === 'ArrowFunctionExpression' && child(parent, 'body') === node) {
    const prop = tree.parent.get(parent);
    const obj = prop && tree.parent.get(prop);
    const call = obj && tree.parent.get(obj);
    const callee = call?.type === 'CallExpression' ? child(call, 'callee') : null;
    return callee?.type === 'Identifier' && /^__export\d*$/.test(callee.name as string);
  }
  return parent.type === 'ExportSpecifier' || parent.type === 'ExportDefaultDeclaration';
}

const useWhy = (ref: AstNode, tree: Tree): { construct: string; why: string } => {
  const parent = tree.parent.get(ref);
  if (parent?.type === 'Property')
    return {
      construct: 'an object method',
      why: 'its callers (obj.m()) cannot be followed, so they would not await it',
    };
  if (parent?.type === 'AssignmentExpression')
    return {
      construct: 'a blocking function assigned (reassigned or stored)',
      why: 'the calls through what it is assigned to cannot be followed',
    };
  if (parent?.type === 'NewExpression')
    return { construct: 'a constructor (new)', why: 'a function called with `new` cannot be made async' };
  if (parent?.type === 'CallExpression') {
    const callee = child(parent, 'callee');
    const name =
      callee?.type === 'MemberExpression'
        ? memberName(callee)
        : callee?.type === 'Identifier'
          ? (callee.name as string)
          : null;
    if (name === 'sort') return { construct: 'a sort comparator', why: 'a sort comparator cannot block' };
    return {
      construct: `a blocking callback passed to ${name ?? 'a call'}()`,
      why: 'it is called by code the rewrite cannot see, which would not await it',
    };
  }
  return {
    construct: 'a blocking function used as a value',
    why: 'code the rewrite cannot see could call it without awaiting',
  };
};

/**
 * The functions to make async (`converted`), or the first construct that stops the rewrite.
 * `sites` maps every call expression to its Site.
 */
export function widen(
  tree: Tree,
  fns: Functions,
  sites: Map<AstNode, Site>,
): { converted: Set<AstNode>; fallback: Fallback | null } {
  const byFn = new Map<AstNode | null, Site[]>();
  for (const s of sites.values()) byFn.set(s.fn, [...(byFn.get(s.fn) ?? []), s]);
  const converted = new Set<AstNode>();
  const blocksNow = (s: Site): boolean => {
    if (s.kind === 'await' || s.kind === 'twin') return true;
    if (s.kind === 'user') return converted.has(s.target!);
    if (s.kind === 'callback' || s.kind === 'seq') return (s.callbacks ?? []).some((cb) => converted.has(cb));
    return false;
  };
  for (let changed = true; changed;) {
    changed = false;
    for (const fn of tree.functions) {
      if (fn.async === true || converted.has(fn)) continue;
      if ((byFn.get(fn) ?? []).some(blocksNow)) {
        converted.add(fn);
        changed = true;
      }
    }
  }
  const dyn = tree.dynamic[0];
  if (dyn) {
    const construct = dyn.type === 'WithStatement' ? 'with' : `${child(dyn, 'callee')!.name as string}()`;
    const why = 'code built or scoped at run time hides the calls and names the rewrite must follow';
    return { converted, fallback: { construct, offset: dyn.start, why } };
  }
  if (converted.size === 0) return { converted, fallback: null };
  for (const s of sites.values()) {
    const callee = child(s.call, 'callee');
    if (s.kind === 'seq' && memberName(callee!) === 'sort' && (s.callbacks ?? []).some((cb) => converted.has(cb)))
      return {
        converted,
        fallback: { construct: 'a sort comparator', offset: s.call.start, why: 'a sort comparator cannot block' },
      };
    if (s.fn === null && s.kind === 'user' && converted.has(s.target!))
      return {
        converted,
        fallback: {
          construct: 'a blocking function called in the init context',
          offset: s.call.start,
          why: 'the init context cannot await',
        },
      };
  }
  for (const fn of converted) {
    const bad = misuse(fn, tree);
    if (bad) return { converted, fallback: bad };
    const vars = fns.variablesOf(fn);
    const uses: AstNode[] = [];
    for (const v of vars) {
      if (fns.boundFunction(v) !== fn)
        return {
          converted,
          fallback: {
            construct: `${describeFn(fn)} (reassigned)`,
            offset: fn.start,
            why: 'a blocking function whose name is assigned again cannot be followed',
          },
        };
      for (const r of v.references) if (!r.isWrite()) uses.push(r.identifier as AstNode);
    }
    // An inline function is used where it is written.
    if (fn.type !== 'FunctionDeclaration' && tree.parent.get(fn)?.type !== 'VariableDeclarator') uses.push(fn);
    for (const use of uses) {
      if (handledUse(use, tree, sites, fns)) continue;
      const { construct, why } = useWhy(use, tree);
      return { converted, fallback: { construct, offset: use.start, why } };
    }
  }
  return { converted, fallback: null };
}
