/**
 * CodeGuide's generation settings: which model writes the documents, how long an answer
 * may be, and how many documents one request generates at once. Read by config.ts;
 * docs/configuration.md lists every name.
 */
import type { EnvReader } from './env-reader.ts';

export interface CodeGuideConfig {
  /** Provider for /generate/* (unset: the server's default provider). */
  provider: string | undefined;
  /** Model for /generate/* (unset: the provider's default model). */
  model: string | undefined;
  /** Output-token cap of one generation call (also what the credit hold assumes). */
  maxOutputTokens: number;
  /** Documents generated at once by one multiple-documents request or background job. */
  concurrency: number;
}

export function readCodeGuideConfig(read: EnvReader): CodeGuideConfig {
  return {
    provider: read.optionalString('TASKLANE_CODEGUIDE_PROVIDER')?.toLowerCase(),
    model: read.optionalString('TASKLANE_CODEGUIDE_MODEL'),
    maxOutputTokens: read.int('TASKLANE_CODEGUIDE_MAX_OUTPUT_TOKENS', 4096, {
      min: 16,
      max: 200_000,
    }),
    concurrency: read.int('TASKLANE_CODEGUIDE_CONCURRENCY', 3, { min: 1, max: 16 }),
  };
}
