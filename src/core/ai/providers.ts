/**
 * The provider registry: turns (provider, model) from a request into a language model
 * from the AI SDK, after aliases, or a clear 400 that lists what is configured. Built
 * once from config; tests register extra providers (the AI SDK's mock models).
 *
 * Resolving only checks names: the provider package is loaded, and the model object
 * built, when a call needs it (`load`). Validating a request builds nothing (a model
 * object per task creation cost a third of its throughput), and a server that never
 * calls a model never loads the SDK (see sdk.ts).
 */
import type { LanguageModel } from 'ai';
import type { AiConfig, ProviderConfig } from '../../config/ai.ts';
import { DomainError } from '../errors.ts';
import type { CatalogModel, ModelCatalog } from './catalog.ts';

type ModelFactory = (modelId: string) => LanguageModel | Promise<LanguageModel>;

interface RegisteredProvider {
  name: string;
  factory: ModelFactory;
  defaultModel: string | undefined;
  /** Model names declared for this provider (besides the catalog's and the aliases). */
  models: string[];
  /** Whether any model name is passed through (an OpenAI-compatible server decides). */
  openEnded: boolean;
}

export interface ResolvedModel {
  /** Builds the model (loading its provider package the first time). */
  load(): Promise<LanguageModel>;
  provider: string;
  /** The name the request used (or the default). */
  requested: string;
  /** The model actually run, after aliases. */
  modelId: string;
  /** Catalog entry used for pricing, when there is one. */
  catalog: CatalogModel | undefined;
  /** `provider/model` as stored in the ledger. */
  modelKey: string;
}

export class AiRegistry {
  readonly catalog: ModelCatalog;
  readonly #config: AiConfig;
  readonly #providers = new Map<string, RegisteredProvider>();
  #defaultProvider: string | undefined;

  constructor(config: AiConfig, catalog: ModelCatalog) {
    this.#config = config;
    this.catalog = catalog;
    this.#defaultProvider = config.defaultProvider;
    for (const provider of config.providers) this.#add(provider);
  }

  /** Whether any provider is configured (agent tasks are refused at once without one). */
  get configured(): boolean {
    return this.#providers.size > 0;
  }

  get defaultProvider(): string | undefined {
    return this.#defaultProvider;
  }

  get timeoutMs(): number {
    return this.#config.requestTimeoutMs;
  }

  get maxRetries(): number {
    return this.#config.maxRetries;
  }

  /** Adds (or replaces) a provider; the first one added becomes the default when none is set. */
  register(
    name: string,
    factory: ModelFactory,
    options: { defaultModel?: string; models?: string[]; openEnded?: boolean } = {},
  ): void {
    this.#providers.set(name, {
      name,
      factory,
      defaultModel: options.defaultModel,
      models: options.models ?? [],
      openEnded: options.openEnded ?? false,
    });
    this.#defaultProvider ??= name;
  }

  setDefaultProvider(name: string): void {
    this.#defaultProvider = name;
  }

  providerNames(): string[] {
    return [...this.#providers.keys()];
  }

  /** Model names a request may use on a provider. */
  modelsFor(name: string): string[] {
    const provider = this.#providers.get(name);
    if (!provider) return [];
    const names = new Set<string>();
    if (provider.defaultModel) names.add(provider.defaultModel);
    for (const model of provider.models) names.add(model);
    for (const model of this.catalog.forProvider(name)) names.add(model.name);
    for (const alias of Object.keys(this.#config.aliases)) names.add(alias);
    return [...names];
  }

  resolve(request: { provider?: string | null; model?: string | null }): ResolvedModel {
    if (!this.configured) {
      throw refused(
        'provider',
        'No AI provider is configured on this server (set TASKLANE_LLM_BASE_URL, OPENAI_API_KEY or ANTHROPIC_API_KEY)',
        { available_providers: [] },
      );
    }
    const providerName = (request.provider ?? this.#defaultProvider ?? '').toLowerCase();
    const provider = this.#providers.get(providerName);
    if (!provider) {
      throw refused(
        'provider',
        `Provider "${request.provider}" is not configured; available: ${this.providerNames().join(', ')}`,
        { available_providers: this.providerNames() },
      );
    }
    const requested = request.model ?? provider.defaultModel ?? this.modelsFor(providerName)[0];
    if (!requested) {
      throw refused('model', `No model given and provider "${providerName}" has no default model`, {
        available_models: [],
      });
    }
    const available = this.modelsFor(providerName);
    const aliased = this.#config.aliases[requested];
    if (!aliased && !available.includes(requested) && !provider.openEnded) {
      throw refused(
        'model',
        `Model "${requested}" is not available on provider "${providerName}"; available: ${available.join(', ')}`,
        { available_models: available },
      );
    }
    const modelId = aliased ?? requested;
    const catalog =
      this.catalog.find(providerName, modelId) ?? this.catalog.find(providerName, requested);
    return {
      load: async () => provider.factory(modelId),
      provider: providerName,
      requested,
      modelId,
      catalog,
      modelKey: catalog?.key ?? `${providerName}/${modelId}`,
    };
  }

  #add(config: ProviderConfig): void {
    this.register(config.name, factoryFor(config), {
      defaultModel: config.defaultModel,
      models: config.models,
      // A local server serves whatever it has pulled; declared models are a hint, not a fence,
      // unless the operator declared some.
      openEnded:
        config.kind === 'openai-compatible' && config.models.length === 0 && !config.defaultModel,
    });
  }
}

/** A 400/422 naming the field, with what is available in the details. */
function refused(field: 'provider' | 'model', message: string, details: Record<string, unknown>) {
  return new DomainError('validation', message, { field, ...details }, [
    { location: ['body', field], message, type: 'value_error' },
  ]);
}

/** A provider's factory; its package is imported (once) by the first model built. */
function factoryFor(config: ProviderConfig): ModelFactory {
  let factory: Promise<(modelId: string) => LanguageModel> | undefined;
  return async (modelId) => {
    factory ??= loadFactory(config);
    return (await factory)(modelId);
  };
}

async function loadFactory(config: ProviderConfig): Promise<(modelId: string) => LanguageModel> {
  if (config.kind === 'openai') {
    const { createOpenAI } = await import('@ai-sdk/openai');
    const openai = createOpenAI({ apiKey: config.apiKey, baseURL: config.baseUrl });
    return (id) => openai.responses(id);
  }
  if (config.kind === 'anthropic') {
    const { createAnthropic } = await import('@ai-sdk/anthropic');
    const anthropic = createAnthropic({ apiKey: config.apiKey, baseURL: config.baseUrl });
    return (id) => anthropic(id);
  }
  // OpenAI-compatible servers speak chat completions.
  const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
  const compatible = createOpenAICompatible({
    name: config.name,
    baseURL: config.baseUrl!,
    apiKey: config.apiKey,
    includeUsage: true,
    // Structured answers (CodeGuide's questionnaire, category) send their JSON schema as
    // response_format json_schema, which vLLM, llama.cpp, Ollama and LM Studio honour.
    supportsStructuredOutputs: true,
    // Image URLs go to the model server as URLs: this server never downloads a URL a
    // client sent (no request on the client's behalf from inside the network).
    supportedUrls: () => ({ 'image/*': [/^https?:\/\/.+$/] }),
  });
  return (id) => compatible.chatModel(id);
}
