/**
 * Cost in micro-USD. A price in USD per 1M tokens times a token count is already
 * micro-USD, so the sum is exact until the one final rounding; seconds are priced in
 * USD per second. Credits: 1 credit = $0.001 = 1,000 micro-USD.
 */
/** A model's prices, as the model catalog lists them. */
export interface ModelPricing {
  /** USD per 1M input tokens not served from cache. */
  input_per_1m: number;
  cached_input_per_1m: number;
  output_per_1m: number;
  /** USD per second of call (or sandbox) time. */
  per_second: number;
}

/** The catalog entry that prices sandbox time (per second). */
export const SANDBOX_MODEL_KEY = 'sandbox/seconds';

export interface MeteredUsage {
  inputTokens: number;
  /** Of the input tokens, how many were served from the provider's cache. */
  cachedInputTokens?: number;
  outputTokens: number;
  seconds?: number;
}

export const MICRO_USD_PER_CREDIT = 1000;

export function costMicroUsd(pricing: ModelPricing | undefined, usage: MeteredUsage): number {
  if (!pricing) return 0;
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const fresh = usage.inputTokens - cached;
  const micro =
    fresh * pricing.input_per_1m +
    cached * pricing.cached_input_per_1m +
    usage.outputTokens * pricing.output_per_1m +
    (usage.seconds ?? 0) * pricing.per_second * 1_000_000;
  return Math.round(micro);
}

export const creditsToMicroUsd = (credits: number) => Math.round(credits * MICRO_USD_PER_CREDIT);
