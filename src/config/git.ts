/**
 * Cloning users' git repositories (core/git): which hosts a repository URL may name,
 * whether non-public addresses may be reached, and the limits of one clone. Read by
 * config.ts; docs/configuration.md lists every name.
 */
import { ConfigError, type EnvReader } from './env-reader.ts';
import { type Network, readNetworks } from './networks.ts';

export interface GitConfig {
  /** Hostnames a repository URL may name (lower case); empty: any public host. */
  allowedHosts: string[];
  /** Reach private, loopback and link-local addresses too (an internal git server). */
  allowPrivate: boolean;
  /** Non-public networks a clone may reach all the same (narrower than allowPrivate). */
  allowNetworks: Network[];
  /** Most bytes a clone may receive over the network; past it the clone is stopped. */
  maxRepoBytes: number;
  /** Most bytes a clone may write to disk (objects and checked-out files). */
  maxCheckoutBytes: number;
  /** Most files (and links) a clone's checkout may hold. */
  maxFiles: number;
  /** Wall-clock limit of one clone, checkout included. */
  cloneTimeoutMs: number;
}

const MIB = 1024 * 1024;

export function readGitConfig(read: EnvReader): GitConfig {
  return {
    allowedHosts: readHosts(read.list('TASKLANE_GIT_ALLOWED_HOSTS')),
    allowPrivate: read.bool('TASKLANE_GIT_ALLOW_PRIVATE', false),
    allowNetworks: readNetworks(read, 'TASKLANE_GIT_ALLOW_NETWORKS'),
    maxRepoBytes: read.int('TASKLANE_GIT_MAX_REPO_BYTES', 100 * MIB, { min: 1024 }),
    maxCheckoutBytes: read.int('TASKLANE_GIT_MAX_CHECKOUT_BYTES', 1024 * MIB, { min: 1024 }),
    maxFiles: read.int('TASKLANE_GIT_MAX_FILES', 20_000, { min: 1, max: 10_000_000 }),
    cloneTimeoutMs: read.int('TASKLANE_GIT_CLONE_TIMEOUT_MS', 60_000, { min: 100 }),
  };
}

/** `*` (or nothing) means any host; each other entry must be a bare hostname. */
function readHosts(entries: string[]): string[] {
  if (entries.includes('*')) return [];
  return entries.map((entry) => {
    const host = entry.toLowerCase().replace(/\.$/, '');
    if (!/^[a-z0-9.-]+$/.test(host) && !/^\[[0-9a-f:.]+\]$/.test(host))
      throw new ConfigError(
        `TASKLANE_GIT_ALLOWED_HOSTS: "${entry}" is not a hostname (no scheme, port or path: github.com, gitlab.example.org)`,
      );
    return host;
  });
}
