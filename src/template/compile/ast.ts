/** The Jinja2 syntax tree that the parser builds and the evaluator walks. */

export interface CallArgs {
  args: Expr[];
  kwargs: [string, Expr][];
  /** *args / **kwargs spreads. */
  starArgs?: Expr;
  starKwargs?: Expr;
}

export type Expr =
  | { t: 'const'; value: unknown }
  | { t: 'name'; name: string }
  | { t: 'list'; items: Expr[] }
  | { t: 'tuple'; items: Expr[] }
  | { t: 'dict'; items: [Expr, Expr][] }
  | { t: 'getattr'; obj: Expr; attr: string }
  | { t: 'getitem'; obj: Expr; key: Expr }
  | { t: 'slice'; obj: Expr; start?: Expr; stop?: Expr; step?: Expr }
  | { t: 'call'; fn: Expr; call: CallArgs }
  | { t: 'filter'; name: string; operand: Expr | null; call: CallArgs; pos: number }
  | { t: 'test'; name: string; operand: Expr; call: CallArgs; negate: boolean; pos: number }
  | { t: 'binop'; op: string; left: Expr; right: Expr }
  | { t: 'unary'; op: 'not' | '-' | '+'; operand: Expr }
  | { t: 'compare'; first: Expr; ops: [string, Expr][] }
  | { t: 'and' | 'or'; left: Expr; right: Expr }
  | { t: 'concat'; items: Expr[] }
  | { t: 'cond'; test: Expr; then: Expr; else_?: Expr };

export interface MacroDef {
  name: string;
  params: [string, Expr | undefined][];
  body: Stmt[];
}

export type Target = { t: 'name'; name: string } | { t: 'tuple'; items: Target[] } | { t: 'nsattr'; ns: string; attr: string };

export type Stmt =
  | { t: 'text'; text: string }
  | { t: 'output'; expr: Expr }
  | { t: 'if'; branches: [Expr, Stmt[]][]; else_: Stmt[] }
  | { t: 'for'; target: Target; iter: Expr; filter?: Expr; body: Stmt[]; else_: Stmt[]; recursive: boolean }
  | { t: 'set'; target: Target; expr: Expr }
  | { t: 'setblock'; target: Target; body: Stmt[]; filters: Expr[] }
  | { t: 'macro'; def: MacroDef }
  | { t: 'callblock'; call: Expr; caller: MacroDef }
  | { t: 'filterblock'; filters: Expr[]; body: Stmt[] }
  | { t: 'with'; assigns: [Target, Expr][]; body: Stmt[] }
  | { t: 'include'; template: Expr; ignoreMissing: boolean }
  | { t: 'break' }
  | { t: 'continue' }
  | { t: 'do'; expr: Expr };
