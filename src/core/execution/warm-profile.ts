/**
 * What a run needs of a warm sandbox (its language, memory size and network policy), and
 * the one key that names such a profile: shared by the configuration's duplicate check
 * (config/warm-pool.ts) and the pool's lookup (warm-pool.ts).
 */
import type { Language } from './runtimes.ts';

export interface WarmProfile {
  language: Language;
  network: boolean;
  memoryMb: number;
}

export function warmProfileKey(profile: WarmProfile): string {
  return `${profile.language}|${profile.network}|${profile.memoryMb}`;
}
