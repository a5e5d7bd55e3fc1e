/**
 * Which k6 module export an expression of the script denotes, through the scope analysis of
 * eslint-scope: a name bound by an import (`import { sleep } from 'k6'`, default, namespace), or
 * by a `require` (esbuild's bundles: `var import_k6 = require("k6")`, `__toESM(require("k6/http"))`,
 * `const { sleep } = require('k6')`), then read through members (`import_http.default.get`) and
 * esbuild's call form `(0, import_k6.sleep)`. A name that is assigned again, shadowed, or bound any
 * other way resolves to nothing: the rewrite leaves what it cannot prove alone.
 */
import type { ScopeManager, Variable } from 'eslint-scope';
import { child, children, memberName, type AstNode } from './ast.ts';
import { blockingInstance, WATCHED_MODULES, type BlockingInstance } from './blocking-apis.ts';

/** An export of a module: `path` is the property path into the module's exports, `default.` dropped. */
export interface ModuleRef {
  readonly module: string;
  readonly path: readonly string[];
}

/** The engine's modules' default export is their API object: `http.default.get` is `http.get`. */
function normalize(module: string, path: readonly string[]): ModuleRef {
  return { module, path: path[0] === 'default' ? path.slice(1) : path };
}

export class Resolver {
  private readonly refs = new Map<AstNode, Variable | null>();

  constructor(scopes: ScopeManager) {
    for (const scope of scopes.scopes)
      for (const ref of scope.references) this.refs.set(ref.identifier as AstNode, ref.resolved);
  }

  /** The module export `expr` denotes, or null. */
  moduleRef(expr: AstNode | null): ModuleRef | null {
    if (!expr) return null;
    if (expr.type === 'SequenceExpression') {
      const parts = children(expr, 'expressions');
      return parts.length === 2 && parts[0]!.type === 'Literal' ? this.moduleRef(parts[1]!) : null;
    }
    if (expr.type === 'Identifier') return this.ofIdentifier(expr);
    if (expr.type === 'MemberExpression' && !expr.optional) {
      const name = memberName(expr);
      const base = name === null ? null : this.moduleRef(child(expr, 'object'));
      return base && name !== null ? normalize(base.module, [...base.path, name]) : null;
    }
    return null;
  }

  /** The blocking instance kind of the object `expr` names (a variable set once from `new Writer(...)`, `sql.open(...)`). */
  instanceOf(expr: AstNode | null): BlockingInstance | null {
    if (!expr || expr.type !== 'Identifier') return null;
    const declarator = this.singleDeclarator(expr);
    if (!declarator || child(declarator, 'id')?.type !== 'Identifier') return null;
    const init = child(declarator, 'init');
    if (!init || (init.type !== 'NewExpression' && init.type !== 'CallExpression')) return null;
    const made = this.moduleRef(child(init, 'callee'));
    if (!made || made.path.length !== 1) return null;
    const kind = blockingInstance(made.module, made.path[0]!);
    return kind && kind.via === (init.type === 'NewExpression' ? 'new' : 'call') ? kind : null;
  }

  /** Whether `id` is a reference the analysis saw (false for property keys and the like). */
  isReference(id: AstNode): boolean {
    return this.refs.has(id);
  }

  private ofIdentifier(id: AstNode): ModuleRef | null {
    const v = this.refs.get(id);
    if (!v || v.defs.length !== 1) return null;
    const def = v.defs[0]!;
    if (def.type === 'ImportBinding') {
      const source = def.parent ? child(def.parent as AstNode, 'source') : null;
      const module = typeof source?.value === 'string' ? source.value : null;
      if (module === null || !WATCHED_MODULES.has(module)) return null;
      const spec = def.node as AstNode;
      if (spec.type === 'ImportNamespaceSpecifier') return normalize(module, []);
      if (spec.type === 'ImportDefaultSpecifier') return normalize(module, ['default']);
      const imported = child(spec, 'imported');
      const name = imported ? ((imported.name ?? imported.value) as string) : null;
      return name === null ? null : normalize(module, [name]);
    }
    const declarator = this.singleDeclarator(id);
    if (!declarator) return null;
    const module = this.requiredModule(child(declarator, 'init'));
    if (module === null) return null;
    const target = child(declarator, 'id')!;
    if (target.type === 'Identifier') return normalize(module, []);
    if (target.type !== 'ObjectPattern') return null;
    for (const prop of children(target, 'properties')) {
      if (prop.type !== 'Property' || prop.computed || child(prop, 'value') !== (def.name as AstNode)) continue;
      const key = child(prop, 'key')!;
      return normalize(module, [(key.name ?? key.value) as string]);
    }
    return null;
  }

  /** The declarator of a variable declared once (`var`/`let`/`const`) and never assigned again. */
  private singleDeclarator(id: AstNode): AstNode | null {
    const v = this.refs.get(id);
    if (!v || v.defs.length !== 1 || v.defs[0]!.type !== 'Variable') return null;
    const declarator = v.defs[0]!.node as AstNode;
    const writes = v.references.filter((r) => r.isWrite()).length;
    return writes <= (child(declarator, 'init') ? 1 : 0) ? declarator : null;
  }

  /** `require("k6/http")` or esbuild's `__toESM(require("k6/http"))` of a watched module, with the outer `require`. */
  private requiredModule(init: AstNode | null): string | null {
    if (!init || init.type !== 'CallExpression') return null;
    const callee = child(init, 'callee')!;
    const args = children(init, 'arguments');
    if (callee.type === 'Identifier' && /^__toESM\d*$/.test(callee.name as string) && args[0])
      return this.requiredModule(args[0]);
    if (callee.type !== 'Identifier' || callee.name !== 'require' || this.refs.get(callee) || args.length !== 1)
      return null;
    const spec = args[0]!;
    return spec.type === 'Literal' && typeof spec.value === 'string' && WATCHED_MODULES.has(spec.value)
      ? spec.value
      : null;
  }
}
