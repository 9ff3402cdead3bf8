/**
 * What every planning prompt is told about the project: description, tools, the
 * questionnaire's answers and the earlier documents, rendered as template values.
 */
import { invalid } from '../errors.ts';

export interface PlanningContext {
  description: string;
  selectedTools: string[];
  answers: Record<string, unknown>;
  title?: string;
  projectType?: string;
  customDocumentType?: string;
  outline?: string;
  prd?: string;
  appFlow?: string;
  techStackDoc?: string;
  starterKit?: string;
}

/** Answers beyond this (as JSON) are refused: they would not fit a prompt anyway. */
export const MAX_ANSWERS_BYTES = 64 * 1024;

const EARLIER: [keyof PlanningContext, string][] = [
  ['outline', 'Outline'],
  ['prd', 'Project Requirements Document'],
  ['appFlow', 'App Flow'],
  ['techStackDoc', 'Tech Stack'],
  ['starterKit', 'Starter Kit'],
];

export function checkAnswers(answers: Record<string, unknown>): void {
  if (Buffer.byteLength(JSON.stringify(answers)) > MAX_ANSWERS_BYTES)
    throw invalid('answers', `answers is larger than ${MAX_ANSWERS_BYTES} bytes`);
}

/** Template values for a planning context. */
export function contextValues(context: PlanningContext): Record<string, string | undefined> {
  checkAnswers(context.answers);
  const answers = Object.entries(context.answers)
    .map(
      ([question, answer]) =>
        `- ${question}: ${typeof answer === 'string' ? answer : JSON.stringify(answer)}`,
    )
    .join('\n');
  const earlier = EARLIER.filter(([key]) => (context[key] as string | undefined)?.trim())
    .map(([key, name]) => `\n## ${name} (already written)\n\n${context[key] as string}`)
    .join('\n');
  return {
    description: context.description,
    selected_tools:
      context.selectedTools.length > 0 ? context.selectedTools.join(', ') : 'none chosen yet',
    answers: answers || '(none given)',
    title: context.title,
    project_type: context.projectType,
    context: earlier ? `\nEarlier documents of this project:\n${earlier}` : '',
  };
}
