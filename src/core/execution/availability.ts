/**
 * The one place that decides whether sandboxed work can run here, and says why not:
 * callers name what they wanted to run, the refusal says what is missing.
 */
import fs from 'node:fs';
import type { Ctx } from '../context.ts';
import { DomainError } from '../errors.ts';
import type { Sandbox, SandboxProvider } from './sandbox.types.ts';

/** The sandbox, when this server has one. */
export function sandboxOf(ctx: Ctx): Sandbox | undefined {
  const provider = ctx.runtime.sandbox;
  return provider.available ? provider.sandbox : undefined;
}

/** The sandbox, or an `unavailable` error: "`what` cannot run here: <reason>". */
export function requireSandbox(ctx: Ctx, what: string): Sandbox {
  const provider = ctx.runtime.sandbox;
  if (provider.available) return provider.sandbox;
  throw new DomainError('unavailable', `${what} cannot run here: ${provider.reason}`);
}

/** Refuses an agent toolset that needs a sandbox this server does not have. */
export function checkToolsRunnable(ctx: Ctx, tools: readonly string[]): void {
  if (tools.includes('code_executor')) requireSandbox(ctx, 'code_executor');
}

export interface Feature {
  available: boolean;
  /** Why not, and what to install. */
  reason?: string;
}

/**
 * What this server can run, for /health and /info (and the operator reading them): code
 * execution needs a sandbox, screenshots a sandbox and a Chromium.
 */
export function featureStatus(
  sandbox: SandboxProvider,
  chromiumPath: string,
): Record<'code_execution' | 'browser_screenshot', Feature> {
  const code: Feature = sandbox.available
    ? { available: true }
    : { available: false, reason: sandbox.reason };
  const browser: Feature = !sandbox.available
    ? code
    : fs.existsSync(chromiumPath)
      ? { available: true }
      : {
          available: false,
          reason: `no Chromium at ${chromiumPath} (Debian: apt-get install chromium, or set TASKLANE_CHROMIUM_PATH)`,
        };
  return { code_execution: code, browser_screenshot: browser };
}
