/**
 * A script with top-level `await` cannot be bundled to CommonJS (esbuild refuses), so it is
 * bundled as one ES module and this turns that module into the function body the engine compiles
 * (bundle.ts runs it inside an async function). Only the module syntax changes:
 *
 *   import http from "k6/http";            ->  var { default: http } = require("k6/http");
 *   import * as k6 from "k6";              ->  var k6 = require("k6");
 *   import exec, { test as t } from "k6/execution";  ->  var { default: exec, test: t } = require("k6/execution");
 *   import "k6/x/sse";                     ->  require("k6/x/sse");
 *   export { main as default, options };   ->  __export0(module.exports, { "default": () => main, "options": () => options });
 *
 * These are the forms transform/bindings.ts resolves, and the exports are esbuild's own CommonJS
 * form (getters; `__export*` is what transform/widen.ts recognizes as the entry's exports), put
 * last. Each replacement keeps the statement's line count, so esbuild's source map stays aligned.
 */
import { parse } from 'acorn';
import { child, children, type AstNode } from '../transform/ast.ts';

function nameOf(node: AstNode): string {
  return (node.name ?? node.value) as string;
}

function importStatement(node: AstNode): string {
  const source = JSON.stringify(child(node, 'source')!.value);
  const specs = children(node, 'specifiers');
  if (specs.length === 0) return `require(${source});`;
  const out: string[] = [];
  const props: string[] = [];
  for (const spec of specs) {
    const local = nameOf(child(spec, 'local')!);
    if (spec.type === 'ImportNamespaceSpecifier') out.push(`var ${local} = require(${source});`);
    else if (spec.type === 'ImportDefaultSpecifier') props.push(`default: ${local}`);
    else props.push(`${JSON.stringify(nameOf(child(spec, 'imported')!))}: ${local}`);
  }
  if (props.length > 0) out.push(`var { ${props.join(', ')} } = require(${source});`);
  return out.join(' ');
}

const EXPORT_HELPER =
  'var __export0 = (target, all) => { for (var name in all) Object.defineProperty(target, name, { get: all[name], enumerable: true }); };';

/** `"name": () => local` for the export helper. */
const getter = (name: string, local: string) => `${JSON.stringify(name)}: () => ${local}`;

function exportStatement(node: AstNode, code: string): { replace: string; tail: string[] } {
  if (child(node, 'source'))
    throw new Error(`re-exports from another module are not supported here: ${code.slice(node.start, node.end)}`);
  const declaration = child(node, 'declaration');
  if (declaration) {
    const names =
      declaration.type === 'VariableDeclaration'
        ? children(declaration, 'declarations').map((d) => child(d, 'id')!)
        : [child(declaration, 'id')!];
    for (const n of names)
      if (n.type !== 'Identifier')
        throw new Error(`destructuring exports are not supported here: ${code.slice(node.start, node.end)}`);
    const tail = names.map((n) => getter(nameOf(n), nameOf(n)));
    return { replace: code.slice(declaration.start, declaration.end), tail };
  }
  const tail = children(node, 'specifiers').map((s) =>
    getter(nameOf(child(s, 'exported')!), nameOf(child(s, 'local')!)),
  );
  return { replace: '', tail };
}

/** The function body for an esbuild ES module bundle (its inline source map comment kept last). */
export function esmToBody(code: string): string {
  const ast = parse(code, { ecmaVersion: 'latest', sourceType: 'module' }) as unknown as AstNode;
  const edits: Array<{ start: number; end: number; text: string }> = [];
  const tails: string[] = [];
  for (const node of children(ast, 'body')) {
    let text: string;
    if (node.type === 'ImportDeclaration') text = importStatement(node);
    else if (node.type === 'ExportNamedDeclaration') {
      const e = exportStatement(node, code);
      text = e.replace;
      tails.push(...e.tail);
    } else if (node.type === 'ExportDefaultDeclaration') {
      const decl = child(node, 'declaration')!;
      const named = decl.type.endsWith('Declaration') && child(decl, 'id');
      text = named ? code.slice(decl.start, decl.end) : `var __default0 = (${code.slice(decl.start, decl.end)});`;
      tails.push(getter('default', named ? nameOf(child(decl, 'id')!) : '__default0'));
    } else if (node.type === 'ExportAllDeclaration') {
      throw new Error(`re-exports from another module are not supported here: ${code.slice(node.start, node.end)}`);
    } else continue;
    const lines = code.slice(node.start, node.end).split('\n').length - 1;
    edits.push({ start: node.start, end: node.end, text: text + '\n'.repeat(Math.max(0, lines - countLines(text))) });
  }
  let out = code;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  const map = /\n\/\/# sourceMappingURL=[^\n]*\s*$/.exec(out);
  const body = map ? out.slice(0, map.index) : out;
  const exports = tails.length > 0 ? `${EXPORT_HELPER} __export0(module.exports, { ${tails.join(', ')} });` : '';
  return `${body}\n${exports}${map ? map[0] : '\n'}`;
}

function countLines(text: string): number {
  return text.split('\n').length - 1;
}
