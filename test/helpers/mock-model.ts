/**
 * Scripted language models for agent tests, on the AI SDK's own MockLanguageModelV4:
 * each call gets the prompt so far and answers with text or tool calls and a usage.
 */
import { MockLanguageModelV4 } from 'ai/test';
import type { TestRuntime } from './runtime.ts';

export interface ScriptedStep {
  text?: string;
  toolCalls?: { name: string; input: Record<string, unknown> }[];
  inputTokens?: number;
  outputTokens?: number;
  cachedInputTokens?: number;
  /** Waits before answering (to test cancellation mid-call). */
  delayMs?: number;
}

export interface ScriptedCall {
  n: number;
  prompt: any[];
  /** The text of every tool result (or tool error) in the prompt so far. */
  toolOutputs: string[];
}

export function scriptedModel(script: (call: ScriptedCall) => ScriptedStep) {
  let n = 0;
  const calls: ScriptedCall[] = [];
  const model = new MockLanguageModelV4({
    doGenerate: async (options: any) => {
      n += 1;
      const prompt = options.prompt as any[];
      const toolOutputs = prompt
        .filter((m) => m.role === 'tool')
        .flatMap((m) => m.content)
        .map((part: any) => JSON.stringify(part.output));
      const call = { n, prompt, toolOutputs };
      calls.push(call);
      const step = script(call);
      if (step.delayMs) {
        await new Promise((resolve, reject) => {
          const timer = setTimeout(resolve, step.delayMs);
          options.abortSignal?.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(options.abortSignal.reason);
          });
        });
      }
      const content: any[] = [];
      if (step.text !== undefined) content.push({ type: 'text', text: step.text });
      for (const [i, tc] of (step.toolCalls ?? []).entries()) {
        content.push({
          type: 'tool-call',
          toolCallId: `call_${n}_${i}`,
          toolName: tc.name,
          input: JSON.stringify(tc.input),
        });
      }
      const input = step.inputTokens ?? 100;
      const cached = step.cachedInputTokens ?? 0;
      const output = step.outputTokens ?? 20;
      return {
        content,
        finishReason: { unified: step.toolCalls?.length ? 'tool-calls' : 'stop', raw: undefined },
        usage: {
          inputTokens: {
            total: input,
            noCache: input - cached,
            cacheRead: cached,
            cacheWrite: undefined,
          },
          outputTokens: { total: output, text: output, reasoning: undefined },
        },
        warnings: [],
      };
    },
  });
  return { model, calls };
}

/** Registers a scripted model as provider `name` (model names are passed through). */
export function useScriptedModel(
  t: TestRuntime,
  script: (call: ScriptedCall) => ScriptedStep,
  name = 'openai',
) {
  const scripted = scriptedModel(script);
  t.runtime.ai.register(name, () => scripted.model, { defaultModel: 'gpt-4o', openEnded: true });
  t.runtime.ai.setDefaultProvider(name);
  return scripted;
}
