/**
 * The agent tools' wire names. Request validation reads only these, so checking a
 * toolset does not load the tools (nor the AI SDK they are built on: see ../sdk.ts).
 */
export const TOOL_NAMES = [
  'code_executor',
  'file_reader',
  'file_writer',
  'browser_screenshot',
  'http_fetch',
  'calculator',
  'search',
] as const;

export type ToolName = (typeof TOOL_NAMES)[number];

const KNOWN: ReadonlySet<string> = new Set(TOOL_NAMES);

/** The names in a request that are not tools (an unknown name is a 400). */
export function unknownTools(names: readonly string[]): string[] {
  return names.filter((name) => !KNOWN.has(name));
}
