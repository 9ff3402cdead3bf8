/**
 * The agent toolset: every tool by its wire name (names.ts). Surfaces validate requested
 * names with `unknownTools` from names.ts; the agent runner loads this module with its
 * first run and builds the set.
 */
import type { ToolSet } from 'ai';
import { browserScreenshotTool } from './browser-screenshot.ts';
import { calculatorTool } from './calculator.ts';
import { codeExecutorTool } from './code-executor.ts';
import { fileReaderTool, fileWriterTool } from './file-tools.ts';
import { httpFetchTool } from './http-fetch.ts';
import type { ToolName } from './names.ts';
import { searchTool } from './search.ts';
import type { ToolEnv } from './tool-env.ts';

const BUILDERS = {
  code_executor: codeExecutorTool,
  file_reader: fileReaderTool,
  file_writer: fileWriterTool,
  browser_screenshot: browserScreenshotTool,
  http_fetch: httpFetchTool,
  calculator: calculatorTool,
  search: searchTool,
} satisfies Record<ToolName, (env: ToolEnv) => ToolSet[string]>;

export function buildToolset(names: readonly string[], env: ToolEnv): ToolSet {
  const tools: ToolSet = {};
  for (const name of new Set(names)) {
    const build = Object.hasOwn(BUILDERS, name) ? BUILDERS[name as ToolName] : undefined;
    if (build) tools[name] = withWorkspacePaths(build(env), env);
  }
  return tools;
}

/**
 * A tool's error goes back to the model (and into the run's record): host paths in it
 * become the workspace-relative names the program sees.
 */
function withWorkspacePaths(built: ToolSet[string], env: ToolEnv): ToolSet[string] {
  const execute = built.execute;
  if (!execute) return built;
  return {
    ...built,
    execute: async (input: never, options: never) => {
      try {
        return await execute(input, options);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(env.ctx.runtime.redactPaths(env.workspace.displayPath(message)));
      }
    },
  } as ToolSet[string];
}

export type { ToolEnv } from './tool-env.ts';
