/** Why a clone stopped, as a typed DomainError whose message says which rule or limit. */
import { DomainError, type ErrorCode } from '../errors.ts';

export type CloneFailure =
  /** The SSRF guard or the URL policy refused a request or a redirect. */
  | 'refused'
  /** More than TASKLANE_GIT_MAX_REPO_BYTES received, or TASKLANE_GIT_MAX_CHECKOUT_BYTES written. */
  | 'too_large'
  /** More than TASKLANE_GIT_MAX_FILES checked out. */
  | 'too_many_files'
  /** TASKLANE_GIT_CLONE_TIMEOUT_MS passed. */
  | 'timeout'
  /** The host did not resolve or answer. */
  | 'unreachable'
  /** The server answered 401/403/404: no such public repository. */
  | 'not_found'
  /** The URL answered, but not as a git smart-HTTP server. */
  | 'not_a_repository'
  | 'failed';

const CODES: Record<CloneFailure, ErrorCode> = {
  refused: 'validation',
  too_large: 'payload_too_large',
  too_many_files: 'payload_too_large',
  timeout: 'unavailable',
  unreachable: 'unavailable',
  not_found: 'not_found',
  not_a_repository: 'validation',
  failed: 'unavailable',
};

export class CloneFailed extends DomainError {
  override name = 'CloneFailed';
  readonly reason: CloneFailure;

  constructor(reason: CloneFailure, message: string) {
    super(CODES[reason], message, { reason });
    this.reason = reason;
  }
}
