/**
 * AI and metering settings: which LLM providers exist, model aliases, the model
 * catalog, agent budgets, tool switches and per-plan credit allotments.
 * Read by config.ts; docs/configuration.md lists every name.
 */
import { ConfigError, type EnvReader } from './env-reader.ts';

export type ProviderKind = 'openai' | 'anthropic' | 'openai-compatible';

export interface ProviderConfig {
  /** The name requests use (`openai`, `anthropic`, `default`, `ollama`…), lower case. */
  name: string;
  kind: ProviderKind;
  baseUrl: string | undefined;
  apiKey: string | undefined;
  /** The model used when a request names none. */
  defaultModel: string | undefined;
  /** Extra model names the operator declares available on this provider. */
  models: string[];
}

export interface AiConfig {
  providers: ProviderConfig[];
  /** Provider used when a request names none. */
  defaultProvider: string | undefined;
  /** Requested model name → the model actually run (e.g. gpt-4 → llama3.1:8b). */
  aliases: Record<string, string>;
  /** Operator's catalog JSON, replacing the shipped one. */
  catalogPath: string | undefined;
  requestTimeoutMs: number;
  maxRetries: number;
  agent: {
    maxSteps: number;
    /** Per-task token budget (input + output, all steps). */
    maxTokens: number;
    /** Per-task cost budget in micro-USD. */
    maxCostMicroUsd: number;
    /** Output tokens reserved per step before the step runs. */
    stepOutputTokens: number;
  };
  tools: {
    /** Hosts http_fetch may reach; empty turns the tool off. */
    httpFetchHosts: string[];
    /** A SearXNG-style JSON search endpoint (`?q=…&format=json`); unset: search says it is off. */
    searchUrl: string | undefined;
    chromiumPath: string;
  };
}

export interface MeteringConfig {
  /** Credits per billing cycle (a calendar month, UTC) for each plan; 1 credit = $0.001. */
  credits: { free: number; pro: number; premium: number };
}

const PROVIDER_VAR = /^TASKLANE_PROVIDER_([A-Z0-9_]+)_(BASE_URL|API_KEY|MODEL|MODELS)$/;

export function readAiConfig(read: EnvReader): AiConfig {
  const providers = new Map<string, ProviderConfig>();
  const upsert = (name: string, patch: Partial<ProviderConfig>) => {
    const current = providers.get(name) ?? {
      name,
      kind: 'openai-compatible' as ProviderKind,
      baseUrl: undefined,
      apiKey: undefined,
      defaultModel: undefined,
      models: [],
    };
    providers.set(name, { ...current, ...patch });
  };

  // The default OpenAI-compatible endpoint (Ollama, vLLM, llama.cpp, LM Studio…).
  const llmBase = read.optionalUrl('TASKLANE_LLM_BASE_URL', ['http:', 'https:']);
  if (llmBase) {
    upsert('default', {
      baseUrl: llmBase,
      apiKey: read.optionalString('TASKLANE_LLM_API_KEY'),
      defaultModel: read.optionalString('TASKLANE_LLM_MODEL'),
      models: read.list('TASKLANE_LLM_MODELS'),
    });
  }
  // The vendors' own APIs, from their usual variables.
  const openaiKey = read.optionalString('OPENAI_API_KEY');
  if (openaiKey) upsert('openai', { kind: 'openai', apiKey: openaiKey });
  const anthropicKey = read.optionalString('ANTHROPIC_API_KEY');
  if (anthropicKey) upsert('anthropic', { kind: 'anthropic', apiKey: anthropicKey });

  // Any name pointed at an OpenAI-compatible endpoint; this wins over the vendor API
  // (so `openai` + `gpt-4` from a spec example can run on a local model).
  for (const variable of read.names(PROVIDER_VAR)) {
    const [, rawName, field] = PROVIDER_VAR.exec(variable)!;
    const name = rawName!.toLowerCase();
    if (field === 'BASE_URL') {
      upsert(name, {
        kind: 'openai-compatible',
        baseUrl: read.optionalUrl(variable, ['http:', 'https:']),
      });
    } else if (field === 'API_KEY') {
      upsert(name, { apiKey: read.optionalString(variable) });
    } else if (field === 'MODEL') {
      upsert(name, { defaultModel: read.optionalString(variable) });
    } else {
      upsert(name, { models: read.list(variable) });
    }
  }
  for (const provider of providers.values()) {
    if (provider.kind === 'openai-compatible' && !provider.baseUrl) {
      throw new ConfigError(
        `TASKLANE_PROVIDER_${provider.name.toUpperCase()}_BASE_URL must be set for provider "${provider.name}"`,
      );
    }
  }

  const aliases: Record<string, string> = {};
  for (const pair of read.list('TASKLANE_MODEL_ALIASES')) {
    const [from, to] = pair.split('=').map((part) => part.trim());
    if (!from || !to)
      throw new ConfigError(`TASKLANE_MODEL_ALIASES entries look like name=model (got "${pair}")`);
    aliases[from] = to;
  }

  const defaultProvider = read.optionalString('TASKLANE_LLM_PROVIDER')?.toLowerCase();
  if (defaultProvider && !providers.has(defaultProvider)) {
    throw new ConfigError(
      `TASKLANE_LLM_PROVIDER names "${defaultProvider}", which is not configured`,
    );
  }

  return {
    providers: [...providers.values()],
    defaultProvider:
      defaultProvider ?? (providers.has('default') ? 'default' : providers.keys().next().value),
    aliases,
    catalogPath: read.optionalString('TASKLANE_MODEL_CATALOG'),
    requestTimeoutMs: read.int('TASKLANE_LLM_TIMEOUT_MS', 120_000, { min: 1000 }),
    maxRetries: read.int('TASKLANE_LLM_MAX_RETRIES', 2, { min: 0, max: 10 }),
    agent: {
      maxSteps: read.int('TASKLANE_AGENT_MAX_STEPS', 10, { min: 1, max: 100 }),
      maxTokens: read.int('TASKLANE_AGENT_MAX_TOKENS', 200_000, { min: 100 }),
      maxCostMicroUsd: Math.round(
        read.number('TASKLANE_AGENT_MAX_COST_USD', 1, { min: 0 }) * 1_000_000,
      ),
      stepOutputTokens: read.int('TASKLANE_AGENT_STEP_OUTPUT_TOKENS', 4096, { min: 16 }),
    },
    tools: {
      httpFetchHosts: read.list('TASKLANE_HTTP_FETCH_ALLOW_HOSTS').map((h) => h.toLowerCase()),
      searchUrl: read.optionalUrl('TASKLANE_SEARCH_URL', ['http:', 'https:']),
      chromiumPath: read.string('TASKLANE_CHROMIUM_PATH', '/usr/bin/chromium'),
    },
  };
}

export function readMeteringConfig(read: EnvReader): MeteringConfig {
  return {
    credits: {
      free: read.int('TASKLANE_CREDITS_FREE', 1_000, { min: 0 }),
      pro: read.int('TASKLANE_CREDITS_PRO', 20_000, { min: 0 }),
      premium: read.int('TASKLANE_CREDITS_PREMIUM', 100_000, { min: 0 }),
    },
  };
}
