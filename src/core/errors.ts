/**
 * The core's one error type. Core functions throw DomainError with a code; each
 * surface's errors.ts maps the code to its spec's status and body. The core never
 * knows about HTTP.
 */
export type ErrorCode =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'quota_exceeded'
  | 'insufficient_credits'
  | 'payload_too_large'
  | 'unsupported_media_type'
  // Requests the HTTP layer refuses before a route sees them (a malformed request line or
  // URL, a URL or headers past the server's limits, a request that never finished).
  | 'bad_request'
  | 'uri_too_long'
  | 'headers_too_large'
  | 'request_timeout'
  | 'not_ready'
  | 'unavailable'
  // An upstream service the request depends on (e.g. a Coolify instance) failed or answered badly.
  | 'bad_gateway'
  | 'internal';

export interface ValidationIssue {
  /** Where the problem is, e.g. ['body', 'email']. */
  location: (string | number)[];
  message: string;
  /** A machine word such as 'missing', 'type', 'format', 'extra'. */
  type: string;
}

export class DomainError extends Error {
  override name = 'DomainError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly issues: ValidationIssue[] | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
    issues?: ValidationIssue[],
  ) {
    super(message);
    this.code = code;
    this.details = details;
    this.issues = issues;
  }
}

/** Shorthands for the errors core functions throw most. */
export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);
export const forbidden = (message = 'Insufficient permissions') =>
  new DomainError('forbidden', message);
export const conflict = (message: string, details?: Record<string, unknown>) =>
  new DomainError('conflict', message, details);
export const invalid = (field: string, message: string, type = 'value_error') =>
  new DomainError('validation', message, { field, issue: message }, [
    { location: ['body', field], message, type },
  ]);
export const unauthenticated = (message = 'Not authenticated') =>
  new DomainError('unauthenticated', message);
