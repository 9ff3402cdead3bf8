/**
 * Which repository URLs the server will clone: http(s) only (no `file://`, `ssh://`,
 * `git://` or scp-style `git@host:path`), no credentials in the URL (they would end up
 * in logs and in the clone's config), and a host from TASKLANE_GIT_ALLOWED_HOSTS when
 * that list is set. Where the host may resolve to (private addresses) is checked when
 * connecting (clone.ts, through the shared net guard), for every hop.
 */
import { DomainError } from '../errors.ts';

export interface RepositoryUrlPolicy {
  /** Lower-case hostnames; empty: any host. */
  allowedHosts: readonly string[];
}

/** A repository URL refused by the policy; `reason` says which rule. */
export class RepositoryUrlRefused extends DomainError {
  override name = 'RepositoryUrlRefused';
  readonly reason: 'malformed' | 'scheme' | 'credentials' | 'host_not_allowed';

  constructor(reason: RepositoryUrlRefused['reason'], message: string, field: string) {
    super('validation', message, { field, reason }, [
      { location: ['body', field], message, type: 'value_error.url' },
    ]);
    this.reason = reason;
  }
}

const SCP_STYLE = /^[\w.-]+@[\w.-]+:/;

/**
 * Checks a repository URL against the policy and returns it normalised (no trailing
 * slash), or throws RepositoryUrlRefused (a validation error naming `field`).
 */
export function checkRepositoryUrl(
  value: string,
  policy: RepositoryUrlPolicy,
  field = 'repository_url',
): URL {
  const refuse = (reason: RepositoryUrlRefused['reason'], message: string) =>
    new RepositoryUrlRefused(reason, message, field);
  if (SCP_STYLE.test(value))
    throw refuse(
      'scheme',
      'scp-style SSH addresses (git@host:path) are not supported; give the https:// URL of the repository',
    );
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse(
      'malformed',
      'must be an absolute http(s) URL such as https://github.com/owner/repo',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw refuse(
      'scheme',
      `only http(s) repositories are supported (${url.protocol}// URLs are refused)`,
    );
  if (url.username || url.password)
    throw refuse('credentials', 'must not contain credentials (user:password@ or a token)');
  if (!url.hostname) throw refuse('malformed', 'must name a host');
  if (url.search || url.hash || value.includes('?') || value.includes('#'))
    throw refuse('malformed', 'must not have a query string or fragment');
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (policy.allowedHosts.length > 0 && !policy.allowedHosts.includes(host))
    throw refuse(
      'host_not_allowed',
      `host ${host} is not allowed on this server (allowed: ${policy.allowedHosts.join(', ')})`,
    );
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

/** The URL as the server stores and shows it: normalised, without a trailing slash. */
export function repositoryUrlText(url: URL): string {
  return url.href.replace(/\/+$/, '');
}
