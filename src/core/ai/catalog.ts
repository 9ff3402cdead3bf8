/**
 * The model catalog: what each model is, what it can do and what it costs. Shipped as
 * model-catalog.json; an operator replaces it with TASKLANE_MODEL_CATALOG. Surfaces list
 * it (CodeGuide's codespace-models) and price with it (usage/calculate, the ledger).
 */

import fsp from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../../config/env-reader.ts';
import type { ModelPricing } from '../metering/pricing.ts';

export interface CatalogModel {
  key: string;
  provider: string;
  name: string;
  capabilities: string[];
  context_window: number;
  pricing: ModelPricing;
}

/** The sandbox's own entry: what a second of sandbox time costs. */

const DEFAULT_CATALOG = path.join(import.meta.dirname, 'model-catalog.json');

export class ModelCatalog {
  readonly models: readonly CatalogModel[];
  readonly #byKey = new Map<string, CatalogModel>();

  constructor(models: CatalogModel[]) {
    this.models = models;
    for (const model of models) this.#byKey.set(model.key, model);
  }

  static async load(file: string | undefined): Promise<ModelCatalog> {
    const source = file ?? DEFAULT_CATALOG;
    let parsed: unknown;
    try {
      parsed = JSON.parse(await fsp.readFile(source, 'utf8'));
    } catch (error) {
      throw new ConfigError(
        `TASKLANE_MODEL_CATALOG: cannot read ${source}: ${(error as Error).message}`,
      );
    }
    const list = (parsed as { models?: unknown }).models;
    if (!Array.isArray(list))
      throw new ConfigError(`TASKLANE_MODEL_CATALOG: ${source} has no "models" list`);
    return new ModelCatalog(list.map((entry, i) => checkEntry(entry, `${source} models[${i}]`)));
  }

  get(key: string): CatalogModel | undefined {
    return this.#byKey.get(key);
  }

  /** The entry for a model as run on a provider: `provider/name`, else any entry of that name. */
  find(provider: string, name: string): CatalogModel | undefined {
    return (
      this.#byKey.get(`${provider}/${name}`) ??
      this.#byKey.get(name) ??
      this.models.find((m) => m.name === name)
    );
  }

  forProvider(provider: string): CatalogModel[] {
    return this.models.filter((m) => m.provider === provider);
  }
}

function checkEntry(entry: unknown, where: string): CatalogModel {
  const e = entry as Partial<CatalogModel>;
  const fail = (what: string) => {
    throw new ConfigError(`TASKLANE_MODEL_CATALOG: ${where}: ${what}`);
  };
  if (typeof e?.key !== 'string' || !e.key) fail('key must be a non-empty string');
  if (typeof e.provider !== 'string') fail('provider must be a string');
  if (typeof e.name !== 'string') fail('name must be a string');
  const p = e.pricing as Partial<ModelPricing> | undefined;
  for (const field of [
    'input_per_1m',
    'cached_input_per_1m',
    'output_per_1m',
    'per_second',
  ] as const) {
    const value = p?.[field] ?? 0;
    if (typeof value !== 'number' || value < 0 || !Number.isFinite(value))
      fail(`pricing.${field} must be a non-negative number`);
  }
  return {
    key: e.key!,
    provider: e.provider!,
    name: e.name!,
    capabilities: Array.isArray(e.capabilities) ? e.capabilities.map(String) : [],
    context_window: Number(e.context_window ?? 0),
    pricing: {
      input_per_1m: p?.input_per_1m ?? 0,
      cached_input_per_1m: p?.cached_input_per_1m ?? p?.input_per_1m ?? 0,
      output_per_1m: p?.output_per_1m ?? 0,
      per_second: p?.per_second ?? 0,
    },
  };
}
