export type ScopeType =
  | 'global' | 'module' | 'function' | 'function-expression-name' | 'block'
  | 'switch' | 'for' | 'class' | 'class-static-block';

export interface Definition {
  type: 'Variable' | 'FunctionName' | 'ClassName' | 'Parameter' | 'ImportBinding';
  kind?: 'var' | 'let' | 'const' | 'using';
  name: any;
  node: any;
}

export declare class Variable {
  name: string;
  scope: Scope;
  defs: Definition[];
  references: Reference[];
}

export declare class Reference {
  static READ: 1;
  static WRITE: 2;
  static RW: 3;
  identifier: any;
  from: Scope;
  flags: number;
  writeExpr: any | null;
  resolved: Variable | null;
  isRead(): boolean;
  isWrite(): boolean;
}

export declare class Scope {
  type: ScopeType;
  block: any;
  upper: Scope | null;
  childScopes: Scope[];
  set: Map<string, Variable>;
  variables: Variable[];
  references: Reference[];
  through: Reference[];
  variableScope: Scope;
}

export declare class ScopeManager {
  scopes: Scope[];
  readonly globalScope: Scope | null;
  acquire(node: any): Scope | null;
}

export interface AnalyzeOptions {
  sourceType?: 'script' | 'module';
}

export declare function analyze(ast: any, options?: AnalyzeOptions): ScopeManager;
export declare const version: string;
