/** The part of eslint-scope (v8, which ships no declarations) that the rewrite uses. */
declare module 'eslint-scope' {
  /** An ESTree node as acorn makes it (ast.ts has the same shape). */
  interface AstNode {
    type: string;
    start: number;
    end: number;
  }

  export interface Definition {
    type:
      | 'ImportBinding'
      | 'Variable'
      | 'Parameter'
      | 'FunctionName'
      | 'ClassName'
      | 'CatchClause'
      | 'ImplicitGlobalVariable';
    name: AstNode;
    node: AstNode;
    parent: AstNode | null;
  }
  export interface Variable {
    name: string;
    defs: Definition[];
    references: Reference[];
  }
  export interface Reference {
    identifier: AstNode;
    resolved: Variable | null;
    isWrite(): boolean;
  }
  export interface Scope {
    references: Reference[];
  }
  export interface ScopeManager {
    scopes: Scope[];
    /** The variables a declaration node (function, declarator) declares. */
    getDeclaredVariables(node: AstNode): Variable[];
  }
  export function analyze(
    ast: AstNode,
    options: { ecmaVersion: number; sourceType: 'script' | 'module' | 'commonjs'; nodejsScope?: boolean },
  ): ScopeManager;
}
