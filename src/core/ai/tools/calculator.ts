/** `calculator`: evaluates an arithmetic expression exactly as written. */
import { jsonSchema, tool } from 'ai';
import { evaluate } from './arithmetic.ts';

export function calculatorTool() {
  return tool({
    description:
      'Evaluate an arithmetic expression: + - * / % ^, parentheses, sqrt, abs, log, ln, exp, sin, cos, tan, min, max, round, pi, e.',
    inputSchema: jsonSchema<{ expression: string }>({
      type: 'object',
      properties: { expression: { type: 'string' } },
      required: ['expression'],
      additionalProperties: false,
    }),
    async execute({ expression }) {
      return { expression, result: evaluate(expression) };
    },
  });
}
