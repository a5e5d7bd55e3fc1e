/**
 * ESTree nodes as acorn makes them, read loosely: the rewrite looks at a few node types and their
 * fields by name, so one structural type (with typed accessors below) serves every node.
 */
export interface AstNode {
  type: string;
  start: number;
  end: number;
  /** Any other field of the node (ESTree): a child node, a list of them, or a literal value. */
  [field: string]: unknown;
}

export const isNode = (v: unknown): v is AstNode =>
  typeof v === 'object' && v !== null && typeof (v as AstNode).type === 'string';

/** The child node in `field`, or null. */
export const child = (n: AstNode, field: string): AstNode | null => (isNode(n[field]) ? (n[field] as AstNode) : null);

/** The child nodes in list `field` (holes and spread-less nulls skipped). */
export const children = (n: AstNode, field: string): AstNode[] =>
  Array.isArray(n[field]) ? (n[field] as unknown[]).filter(isNode) : [];

export const FUNCTION_TYPES: ReadonlySet<string> = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
]);
export const isFunction = (n: AstNode): boolean => FUNCTION_TYPES.has(n.type);

/** A property name of a member expression (`a.b`, `a['b']`), or null when computed from an expression. */
export function memberName(n: AstNode): string | null {
  const p = child(n, 'property');
  if (!p) return null;
  if (!n.computed && p.type === 'Identifier') return p.name as string;
  if (n.computed && p.type === 'Literal' && typeof p.value === 'string') return p.value;
  return null;
}
