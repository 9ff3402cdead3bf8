/**
 * TASKLANE_SANDBOX_WARM_POOL: which sandboxes are kept started ahead of their runs.
 * Entries `<language>[+net][@<memory MB>][:<count>]`, comma-separated, e.g.
 * `bash:2,python:2,node:1,python+net:1,python@1024:1`; `off` (or empty) keeps none.
 */
import { LANGUAGES, type Language } from '../core/execution/runtimes.ts';
import { type WarmProfile, warmProfileKey } from '../core/execution/warm-profile.ts';
import { ConfigError, type EnvReader } from './env-reader.ts';

export interface WarmPoolEntry extends WarmProfile {
  /** How many are kept ready. */
  count: number;
}

const NAME = 'TASKLANE_SANDBOX_WARM_POOL';
const DEFAULT = 'bash:2,python:2,node:1';
const MAX_COUNT = 32;
const ENTRY = /^([a-z]+)(\+net)?(?:@(\d+))?(?::(\d+))?$/;

export function readWarmPool(
  read: EnvReader,
  sandbox: { memoryMb: number; allowNetwork: boolean },
): WarmPoolEntry[] {
  const raw = read.string(NAME, DEFAULT);
  if (raw === 'off') return [];
  const entries = new Map<string, WarmPoolEntry>();
  for (const text of raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = ENTRY.exec(text);
    const language = match?.[1] as Language | undefined;
    if (!match || !language || !LANGUAGES.includes(language))
      throw new ConfigError(
        `${NAME} entries look like <language>[+net][@<memory MB>][:<count>] with a language of ${LANGUAGES.join(', ')} (got "${text}")`,
      );
    const network = match[2] !== undefined;
    if (network && !sandbox.allowNetwork)
      throw new ConfigError(
        `${NAME}: "${text}" keeps sandboxes with network, which needs TASKLANE_SANDBOX_ALLOW_NETWORK=true`,
      );
    const memoryMb = match[3] === undefined ? sandbox.memoryMb : Number(match[3]);
    const count = match[4] === undefined ? 1 : Number(match[4]);
    if (memoryMb < 32) throw new ConfigError(`${NAME}: "${text}": memory must be at least 32 MB`);
    if (count > MAX_COUNT)
      throw new ConfigError(`${NAME}: "${text}": at most ${MAX_COUNT} of one kind`);
    const key = warmProfileKey({ language, network, memoryMb });
    if (entries.has(key)) throw new ConfigError(`${NAME}: "${text}" is listed twice`);
    if (count > 0) entries.set(key, { language, network, memoryMb, count });
  }
  return [...entries.values()];
}
