/**
 * Task kind `codespace` (CodeGuide's codespace tasks): an agent coding job on a git
 * repository. The worker fetches the repository's objects into the task's workspace
 * (host side, before any program runs there, through the git module's SSRF guard and
 * limits, without a checkout: no path the repository chose is written by the server),
 * then every git step that touches the working tree runs **inside the sandbox** as the
 * workspace's uid: the checkout, and after the agent, the diff, the commit on a new
 * branch and the bundle. The agent works with file and code tools on
 * /workspace/repo. Artifacts: changes.diff (applies with `git apply`), changes.bundle
 * (the new branch; `git fetch changes.bundle <branch>` on a clone of the same commit),
 * summary.md (the agent's final answer), steps.json and output.json.
 */
import { type AgentRunResult, AgentStopped, runAgent } from '../ai/agent/run-agent.ts';
import type { Ctx } from '../context.ts';
import { deployApplication } from '../deploys/deploys.service.ts';
import { DomainError, invalid } from '../errors.ts';
import type { Sandbox, SandboxResult } from '../execution/sandbox.types.ts';
import type { Workspace } from '../execution/workspace.ts';
import { fetchRepository } from '../git/clone.ts';
import { requireUser } from '../identity/users.service.ts';
import { agentSteps, report } from '../tasks/runners/agent.runner.ts';
import type { OutputArtifact, TaskRunner } from '../tasks/runners/runner.types.ts';
import type { Task } from '../tasks/tasks.types.ts';
import * as repo from './codespace.repo.ts';
import { GIT_BINARY, gitAvailable } from './git-binary.ts';

/** Tools the coding agent gets: it reads and edits files, and runs code (tests) in the sandbox. */
export const CODESPACE_TOOLS = ['file_reader', 'file_writer', 'code_executor'] as const;

export interface CodespaceParameters {
  repository_url: string;
  /** A model catalog key (`/codespace-models`), or the server's default model. */
  model_id: string | null;
  /** The branch the changes are committed on. */
  branch: string;
}

/** What a finished run produced (the core task's result). */
export interface CodespaceResult {
  repository_url: string;
  base_commit: string;
  base_branch: string | null;
  branch: string | null;
  commit: string | null;
  changed: boolean;
  summary: string;
  steps: number;
  model: string;
  /** The Coolify deploy `deployment_config` asked for, once the changes were recorded. */
  deployment?: CodespaceDeployment | null;
}

export interface CodespaceDeployment {
  /** `deploying` (Coolify queued it), `skipped` (Coolify started none) or `failed`. */
  status: 'deploying' | 'skipped' | 'failed';
  deployment_id: string | null;
  message: string;
}

export function readCodespaceParameters(task: {
  parameters?: Record<string, unknown>;
}): CodespaceParameters {
  const p = (task.parameters ?? {}) as Record<string, unknown>;
  if (typeof p.repository_url !== 'string')
    throw invalid('parameters.repository_url', 'repository_url is required');
  return {
    repository_url: p.repository_url,
    model_id: typeof p.model_id === 'string' ? p.model_id : null,
    branch: typeof p.branch === 'string' ? p.branch : 'tasklane/codespace',
  };
}

const INSTRUCTIONS = `You are a careful software engineer working in a git repository checked out at
repo/ (relative to your workspace; /workspace/repo for programs you run). Make the change the
task asks for by editing files under repo/ with the file tools; run code or tests with the code
executor when it helps. Do not run git yourself: when you finish, Tasklane records your changes as a
diff and a commit. End with a short summary of what you changed and why.`;

/** The git environment of every in-sandbox step: no user or system config, a fixed identity. */
const GIT_ENV = {
  HOME: '/tmp',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'Tasklane codespace',
  GIT_AUTHOR_EMAIL: 'codespace@tasklane.invalid',
  GIT_COMMITTER_NAME: 'Tasklane codespace',
  GIT_COMMITTER_EMAIL: 'codespace@tasklane.invalid',
};

/** Checks out the fetched commit into the working tree (inside the sandbox). */
const CHECKOUT = `set -e
cd /workspace/repo
git -c safe.directory='*' reset -q --hard HEAD
git -c safe.directory='*' rev-parse HEAD`;

/**
 * Records the agent's work: everything staged, the diff against the fetched commit in
 * out/changes.diff; when there is a change, a commit on $BRANCH and a bundle of it.
 * Prints "<commit>" or "unchanged".
 */
const RECORD = `set -e
cd /workspace/repo
g() { git -c safe.directory='*' "$@"; }
base=$(g rev-parse HEAD)
g add -A
mkdir -p /workspace/out
g diff --cached --binary "$base" > /workspace/out/changes.diff
if g diff --cached --quiet "$base"; then echo unchanged; exit 0; fi
g checkout -q -b "$BRANCH"
g commit -q --no-verify -m "$MESSAGE"
g bundle create -q /workspace/out/changes.bundle "$base..$BRANCH"
g rev-parse HEAD`;

async function gitStep(
  sandbox: Sandbox,
  workspace: Workspace,
  script: string,
  env: Record<string, string>,
  signal: AbortSignal,
): Promise<SandboxResult> {
  return sandbox.run({
    argv: ['/bin/bash', '-c', script],
    workspace,
    env: { ...GIT_ENV, PATH: '/usr/bin:/bin', ...env },
    signal,
  });
}

function stepFailed(what: string, result: SandboxResult): DomainError {
  const detail = (result.stderr || result.stdout).trim().slice(-500);
  return new DomainError(
    'validation',
    `${what} failed${result.timedOut ? ' (time limit)' : ''}${detail ? `: ${detail}` : ''}`,
  );
}

export const codespaceRunner: TaskRunner = {
  kind: 'codespace',
  needsSandbox: true,
  validate(ctx, input) {
    const params = readCodespaceParameters(input);
    if (!gitAvailable())
      throw new DomainError(
        'unavailable',
        `Codespace tasks need git on this server (${GIT_BINARY} is missing; apt-get install git)`,
      );
    resolveCodespaceModel(ctx, params.model_id);
  },
  async run({ ctx, task, workspace, sandbox, signal, progress, reportUsage }) {
    const params = readCodespaceParameters(task);
    await progress({ percent: 2, message: `cloning ${params.repository_url}` });
    const fetched = await fetchRepository(ctx, params.repository_url, `${workspace.dir}/repo`, {
      signal,
      checkout: false,
    });
    await workspace.adopt('repo');
    const checkout = await gitStep(sandbox!, workspace, CHECKOUT, {}, signal);
    if (checkout.exitCode !== 0) throw stepFailed('Checking out the repository', checkout);
    await progress({
      percent: 10,
      message: `cloned ${fetched.branch ?? 'HEAD'} at ${fetched.commit.slice(0, 12)}`,
      data: { commit: fetched.commit, branch: fetched.branch, bytes: fetched.bytesReceived },
    });

    const maxSteps = ctx.config.ai.agent.maxSteps;
    let result: AgentRunResult;
    let stoppedBy: string | null = null;
    try {
      result = await runAgent({
        ctx,
        owner: { userId: task.userId, tenantId: task.tenantId },
        prompt: task.description ?? task.prompt ?? '',
        settings: {
          ...resolveCodespaceModel(ctx, params.model_id),
          instructions: INSTRUCTIONS,
          tools: [...CODESPACE_TOOLS],
        },
        workspace,
        sandbox,
        network: false,
        signal,
        refs: { taskId: task.id },
        onStep: (step) =>
          progress({
            percent: Math.min(90, 10 + (step.number / maxSteps) * 80),
            message: step.tools.length
              ? `step ${step.number}: called ${step.tools.join(', ')}`
              : `step ${step.number}: answered`,
            data: { step: step.number, tools: step.tools, cost_usd: step.costMicroUsd / 1e6 },
          }),
      });
    } catch (error) {
      if (!(error instanceof AgentStopped)) throw error;
      // A budget or step limit stopped the agent: what it changed so far is still recorded.
      result = error.partial;
      stoppedBy = error.message;
    }
    report(reportUsage, result);

    await progress({ percent: 92, message: 'recording the changes' });
    const recorded = await gitStep(
      sandbox!,
      workspace,
      RECORD,
      { BRANCH: params.branch, MESSAGE: commitMessage(task) },
      signal,
    );
    if (recorded.exitCode !== 0) throw stepFailed('Recording the changes', recorded);
    const head = recorded.stdout.trim();
    const changed = head !== 'unchanged';
    const summary = result.text.trim() || '(the agent gave no summary)';
    const outcome: CodespaceResult = {
      repository_url: params.repository_url,
      base_commit: fetched.commit,
      base_branch: fetched.branch ?? null,
      branch: changed ? params.branch : null,
      commit: changed ? head : null,
      changed,
      summary,
      steps: result.steps.length,
      model: result.modelKey || result.model,
    };
    const artifacts: OutputArtifact[] = [
      { name: 'summary.md', content: `${summary}\n`, contentType: 'text/markdown; charset=utf-8' },
      {
        name: 'steps.json',
        contentType: 'application/json',
        content: `${JSON.stringify(agentSteps(result), null, 2)}\n`,
      },
      {
        name: 'output.json',
        contentType: 'application/json',
        content: `${JSON.stringify({ ...outcome, error: stoppedBy }, null, 2)}\n`,
      },
    ];
    if (stoppedBy) return { status: 'failed', result: outcome, errorMessage: stoppedBy, artifacts };
    outcome.deployment = await deployIfAsked(ctx, task);
    if (outcome.deployment)
      await progress({
        percent: 98,
        message: `deployment ${outcome.deployment.status}: ${outcome.deployment.message}`,
      });
    return { status: 'succeeded', result: outcome, artifacts };
  },
};

/**
 * A task whose `deployment_config` names a Coolify `application_id` deploys it once the
 * run succeeded. A refused or failed deployment is reported, not a failed task: the
 * coding work is done and kept either way.
 */
async function deployIfAsked(ctx: Ctx, task: Task): Promise<CodespaceDeployment | null> {
  const actor = requireUser(ctx);
  const row = await repo.findUserCodespaceTask(ctx, actor, task.id);
  if (!row?.deployment_config) return null;
  const config = JSON.parse(row.deployment_config) as Record<string, unknown>;
  if (typeof config.application_id !== 'string')
    return {
      status: 'skipped',
      deployment_id: null,
      message: 'deployment_config has no application_id: nothing was deployed',
    };
  try {
    const deployed = await deployApplication(ctx, actor, {
      applicationId: config.application_id,
      environment: typeof config.environment === 'string' ? config.environment : undefined,
      config:
        config.config && typeof config.config === 'object'
          ? (config.config as Record<string, unknown>)
          : undefined,
    });
    return {
      status: deployed.status === 'queued' ? 'deploying' : 'skipped',
      deployment_id: deployed.deploymentId,
      message: deployed.message,
    };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { status: 'failed', deployment_id: null, message: error.message };
  }
}

/** The agent settings for a catalog key (or the server's default model). */
function resolveCodespaceModel(ctx: Ctx, modelId: string | null) {
  if (!modelId) {
    ctx.runtime.ai.resolve({});
    return {};
  }
  const model = ctx.runtime.ai.catalog.get(modelId);
  if (!model)
    throw invalid('model_id', `model_id: unknown model "${modelId}" (see /codespace-models)`);
  ctx.runtime.ai.resolve({ provider: model.provider, model: model.name });
  return { provider: model.provider, model: model.name };
}

function commitMessage(task: Task): string {
  const first = (task.description ?? task.prompt ?? 'codespace task').split('\n')[0]!.trim();
  return `${first.slice(0, 72) || 'codespace task'}\n\nTasklane codespace task ${task.id}`;
}
