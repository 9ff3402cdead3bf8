/**
 * A small arithmetic evaluator for the calculator tool: numbers, + − × ÷ % ^, parentheses,
 * and a few functions and constants. A parser, not eval: model output never runs as code.
 */
const FUNCTIONS: Record<string, (...args: number[]) => number> = {
  sqrt: Math.sqrt,
  abs: Math.abs,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  log: Math.log10,
  ln: Math.log,
  exp: Math.exp,
  floor: Math.floor,
  ceil: Math.ceil,
  round: Math.round,
  min: Math.min,
  max: Math.max,
  pow: Math.pow,
};
const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };

export function evaluate(expression: string): number {
  if (expression.length > 1000) throw new Error('expression is too long');
  const tokens =
    expression.match(/\d+(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+|[a-z_]+|\*\*|[-+*/%^(),]|\S/gi) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const take = (expected?: string) => {
    const token = tokens[i++];
    if (expected !== undefined && token !== expected)
      throw new Error(
        `expected "${expected}" but found ${token === undefined ? 'the end' : `"${token}"`}`,
      );
    return token;
  };
  const expr = (): number => {
    let value = term();
    while (peek() === '+' || peek() === '-')
      value = take() === '+' ? value + term() : value - term();
    return value;
  };
  const term = (): number => {
    let value = unary();
    while (peek() === '*' || peek() === '/' || peek() === '%') {
      const op = take();
      const right = unary();
      if ((op === '/' || op === '%') && right === 0) throw new Error('division by zero');
      value = op === '*' ? value * right : op === '/' ? value / right : value % right;
    }
    return value;
  };
  const unary = (): number => {
    if (peek() === '-') {
      take();
      return -unary();
    }
    if (peek() === '+') {
      take();
      return unary();
    }
    return power();
  };
  const power = (): number => {
    const base = atom();
    if (peek() === '^' || peek() === '**') {
      take();
      return base ** unary();
    }
    return base;
  };
  const atom = (): number => {
    const token = take();
    if (token === undefined) throw new Error('unexpected end of expression');
    if (token === '(') {
      const value = expr();
      take(')');
      return value;
    }
    if (/^(\d|\.)/.test(token)) return Number(token);
    const name = token.toLowerCase();
    if (name in CONSTANTS) return CONSTANTS[name]!;
    const fn = FUNCTIONS[name];
    if (fn) {
      take('(');
      const args = [expr()];
      while (peek() === ',') {
        take();
        args.push(expr());
      }
      take(')');
      return fn(...args);
    }
    throw new Error(`unknown symbol "${token}"`);
  };
  const value = expr();
  if (i < tokens.length) throw new Error(`unexpected "${tokens[i]}"`);
  if (!Number.isFinite(value)) throw new Error('the result is not a finite number');
  return value;
}
