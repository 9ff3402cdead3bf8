/**
 * The repository's summary: one call to CodeGuide's generation model with the measured
 * facts (prompt: docs/prompts/repository-summary.md), through the same metered path as
 * `/generate/*` (a credit hold, then the real usage in the ledger), as the task's owner.
 */
import type { Ctx } from '../context.ts';
import { generateTextAnswer } from '../docs/model-call.ts';
import { renderPrompt } from '../docs/prompts.ts';
import type { RepositoryStatistics } from './statistics.ts';

/** Dependencies named in the prompt, at most (the figures count them all). */
const PROMPT_DEPENDENCIES = 60;

export interface SummaryFacts {
  repositoryUrl: string;
  branch: string | null;
  statistics: RepositoryStatistics;
  readme: string | null;
}

export function summarizeRepository(
  owner: Ctx,
  facts: SummaryFacts,
  signal?: AbortSignal,
): Promise<string> {
  const s = facts.statistics;
  const languages = s.language_breakdown
    .slice(0, 15)
    .map((l) => `${l.name} ${l.percentage}% (${l.bytes} bytes, ${l.type})`)
    .join(', ');
  const layout = s.layout
    .slice(0, 80)
    .map((e) => (e.type === 'directory' ? `${e.name}/` : e.name))
    .join(', ');
  const dependencies = s.dependencies
    .map(
      (m) =>
        `${m.path} (${m.ecosystem}): ${m.dependencies
          .slice(0, PROMPT_DEPENDENCIES)
          .map((d) => (d.type === 'runtime' ? d.name : `${d.name} [${d.type}]`))
          .join(', ')}`,
    )
    .slice(0, 10)
    .join('; ');
  const prompt = renderPrompt('repository-summary', {
    repository_url: facts.repositoryUrl,
    branch: facts.branch ?? undefined,
    file_count: String(s.file_count),
    total_bytes: String(s.total_bytes),
    line_count: String(s.line_count),
    languages: languages || 'none detected',
    layout: layout || '(empty)',
    dependencies: dependencies || 'no dependency manifest found',
    readme: facts.readme ?? undefined,
  });
  return generateTextAnswer(owner, prompt, { signal });
}
