/**
 * The generation prompts, one Markdown file per endpoint in ./prompts: the system
 * instructions, a line `---`, then the user message. Placeholders are `{{name}}`;
 * `{{#name}}…{{/name}}` keeps its text only when the value is non-empty and
 * `{{^name}}…{{/name}}` only when it is empty. Read once, at first use.
 */
import fs from 'node:fs';
import path from 'node:path';

export type PromptName =
  | 'refine-prompt'
  | 'title'
  | 'questionnaire'
  | 'prd'
  | 'category'
  | 'outline'
  | 'document'
  | 'repository-summary';

export interface RenderedPrompt {
  instructions: string;
  user: string;
}

const DIR = path.join(import.meta.dirname, 'prompts');
const cache = new Map<PromptName, { system: string; user: string }>();

function load(name: PromptName) {
  let template = cache.get(name);
  if (!template) {
    const text = fs.readFileSync(path.join(DIR, `${name}.md`), 'utf8');
    const split = text.indexOf('\n---\n');
    if (split < 0) throw new Error(`prompt ${name}.md has no --- line`);
    template = { system: text.slice(0, split), user: text.slice(split + 5) };
    cache.set(name, template);
  }
  return template;
}

export function renderPrompt(
  name: PromptName,
  values: Record<string, string | undefined>,
): RenderedPrompt {
  const template = load(name);
  return { instructions: fill(template.system, values), user: fill(template.user, values) };
}

function fill(text: string, values: Record<string, string | undefined>): string {
  const present = (key: string) => (values[key] ?? '').trim() !== '';
  return (
    text
      .replace(/\{\{#(\w+)\}\}([\s\S]*?)\{\{\/\1\}\}/g, (_m, key: string, body: string) =>
        present(key) ? body : '',
      )
      .replace(/\{\{\^(\w+)\}\}([\s\S]*?)\{\{\/\1\}\}/g, (_m, key: string, body: string) =>
        present(key) ? '' : body,
      )
      // One pass over the template: a value containing "{{x}}" is never expanded again.
      .replace(/\{\{(\w+)\}\}/g, (_m, key: string) => values[key] ?? '')
      .trim()
  );
}
