/** Small helpers for tests that use the real sandbox and workspaces. */
import assert from 'node:assert/strict';
import type { Sandbox } from '../../src/core/execution/sandbox.types.ts';
import type { Workspace } from '../../src/core/execution/workspace.ts';
import type { TestRuntime } from './runtime.ts';

/** The runtime's sandbox; the test environment must have one (.ci/run installs bubblewrap). */
export function sandboxOf(t: TestRuntime): Sandbox {
  const provider = t.runtime.sandbox;
  assert.ok(provider.available, 'a sandbox is needed here (.ci/run installs bubblewrap)');
  return provider.sandbox;
}

/** A regular file's bytes, read the way the server reads it (never following links). */
export async function readWorkspaceFile(workspace: Workspace, relative: string): Promise<Buffer> {
  const found = await workspace.read(relative, 64 * 1024 * 1024);
  assert.equal(found.kind, 'file', `${relative} is a regular file`);
  return (found as { content: Buffer }).content;
}
