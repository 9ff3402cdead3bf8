/**
 * Cloning a user's repository safely: the URL is checked (repository-url.ts), every
 * HTTP request and redirect hop goes through the SSRF guard (guarded-http.ts), and the
 * clone is shallow (depth 1, one branch, no tags) and stopped with a clear error past
 * TASKLANE_GIT_MAX_REPO_BYTES received, TASKLANE_GIT_MAX_CHECKOUT_BYTES or
 * TASKLANE_GIT_MAX_FILES written, or TASKLANE_GIT_CLONE_TIMEOUT_MS. The library fetches
 * (clone-fs.ts confines its writes); checkout.ts writes the files. The clone is written
 * by the server into a directory the server owns, before any program runs there; read
 * it with read-clone.ts (links are never followed).
 */
import nodeFs from 'node:fs';
import fs from 'node:fs/promises';
import type { Ctx } from '../context.ts';
import type { NetPolicy } from '../shared/net-guard.ts';
import { checkoutCommit } from './checkout.ts';
import { CloneFailed } from './clone-errors.ts';
import { ByteBudget, cloneFs } from './clone-fs.ts';
import { guardedGitHttp } from './guarded-http.ts';
import { checkRepositoryUrl, repositoryUrlText } from './repository-url.ts';

/** Redirects followed per request, each checked again. */
const MAX_REDIRECTS = 5;

export interface FetchedRepository {
  /** The URL cloned, normalised. */
  url: string;
  dir: string;
  /** The branch checked out (the remote's default), when HEAD names one. */
  branch: string | undefined;
  /** The commit checked out. */
  commit: string;
  bytesReceived: number;
}

/** Where clones may connect, from config, with the runtime's resolver. */
export function gitNetPolicy(ctx: Ctx): NetPolicy {
  const { allowPrivate, allowNetworks } = ctx.config.git;
  return { allowPrivate, allowNetworks, resolve: ctx.runtime.resolver };
}

/**
 * Clones `url` into `dir` (created, or an existing empty directory). Throws
 * RepositoryUrlRefused for a URL the policy refuses, CloneFailed (with a reason and a
 * message naming the rule or limit) when the clone is refused or stopped, or the
 * caller's signal's reason when it aborts. The caller removes `dir` afterwards.
 */
export async function fetchRepository(
  ctx: Ctx,
  url: string,
  dir: string,
  options: {
    signal?: AbortSignal;
    /**
     * false: fetch the objects only (`dir`/.git), for a caller that checks the commit out
     * elsewhere (codespace tasks do it inside the sandbox with the git CLI).
     */
    checkout?: boolean;
  } = {},
): Promise<FetchedRepository> {
  const config = ctx.config.git;
  const checked = repositoryUrlText(checkRepositoryUrl(url, config));
  await prepareDirectory(dir);
  const limits = new AbortController();
  const timeout = AbortSignal.timeout(config.cloneTimeoutMs);
  const signal = AbortSignal.any(
    [limits.signal, timeout, options.signal].filter((s): s is AbortSignal => s !== undefined),
  );
  let received = 0;
  const http = guardedGitHttp({
    netPolicy: gitNetPolicy(ctx),
    urlPolicy: config,
    signal,
    maxRedirects: MAX_REDIRECTS,
    onReceived(bytes) {
      received += bytes;
      if (received <= config.maxRepoBytes) return;
      const error = new CloneFailed(
        'too_large',
        `the repository is larger than ${config.maxRepoBytes} bytes (TASKLANE_GIT_MAX_REPO_BYTES); the clone was stopped after receiving more than that`,
      );
      limits.abort(error);
      throw error;
    },
  });
  const budget = new ByteBudget(config.maxCheckoutBytes, (error) => limits.abort(error));
  const cache = {};
  // Loaded with the first clone: an idle server does not carry it (issue 15: idle RSS).
  const { default: git } = await import('isomorphic-git');
  let commit: string;
  try {
    // Fetch only; the files are written by checkout.ts, which every limit stops at once.
    await git.clone({
      fs: cloneFs(dir, signal, budget),
      http,
      dir,
      url: checked,
      depth: 1,
      singleBranch: true,
      noTags: true,
      noCheckout: true,
      cache,
    });
    commit = await git.resolveRef({ fs: nodeFs, dir, ref: 'HEAD' });
    if (options.checkout !== false)
      await checkoutCommit(dir, commit, cache, { signal, budget, maxFiles: config.maxFiles });
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (limits.signal.aborted) throw limits.signal.reason;
    if (timeout.aborted)
      throw new CloneFailed(
        'timeout',
        `the clone took longer than ${config.cloneTimeoutMs / 1000} s (TASKLANE_GIT_CLONE_TIMEOUT_MS) and was stopped`,
      );
    if (error instanceof CloneFailed) throw error;
    throw http.failure ?? explain(ctx, error, checked);
  }
  const branch = (await git.currentBranch({ fs: nodeFs, dir })) || undefined;
  return { url: checked, dir, branch, commit, bytesReceived: received };
}

/** The clone's directory: created private, or an existing empty directory (never a link). */
async function prepareDirectory(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const stat = await fs.lstat(dir);
    if (!stat.isDirectory() || (await fs.readdir(dir)).length > 0)
      throw new Error('the clone directory must be a new or empty directory');
  }
}

/** An error of the git library, as a CloneFailed that says what happened. */
function explain(ctx: Ctx, error: unknown, url: string): CloneFailed {
  const code = (error as { code?: string }).code;
  const data = (error as { data?: { statusCode?: number } }).data;
  if (code === 'HttpError' && data?.statusCode) {
    const status = data.statusCode;
    return status === 401 || status === 403 || status === 404
      ? new CloneFailed(
          'not_found',
          `no public repository at ${url} (the server answered HTTP ${status})`,
        )
      : new CloneFailed('failed', `the git server answered HTTP ${status}`);
  }
  if (code === 'SmartHttpError')
    return new CloneFailed('not_a_repository', `${url} did not answer as a git repository`);
  const message = ctx.runtime.redactPaths(error instanceof Error ? error.message : String(error));
  return new CloneFailed('failed', `the clone failed: ${message.slice(0, 300)}`);
}
