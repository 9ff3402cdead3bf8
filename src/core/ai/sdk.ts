/**
 * The AI SDK and its provider packages, loaded on first use. Together with zod they are
 * about 30 MB of an idle server's memory and most of its start-up time, and a server
 * that runs no agent, chat or generation never needs them (issue 15: idle RSS). Modules
 * that call the SDK take it from here; `import type` from 'ai' stays free.
 */
let sdk: Promise<typeof import('ai')> | undefined;

export function loadAiSdk(): Promise<typeof import('ai')> {
  sdk ??= import('ai');
  return sdk;
}
