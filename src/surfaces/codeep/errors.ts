/**
 * Codeep's error body: `{msg, error}` — `msg` a short sentence, `error` the detail.
 */
import type { DomainError, ErrorCode } from '../../core/errors.ts';
import { ERROR_STATUS } from '../../http/error-status.ts';
import type { RenderedError, RequestInfo } from '../../http/surface.ts';

// Codeep answers 202 for results not ready yet; every other code has its usual status.
const STATUS: Record<ErrorCode, number> = { ...ERROR_STATUS, not_ready: 202 };

const DESCRIPTION: Record<ErrorCode, string> = {
  validation: 'Bad Request - Invalid input parameters',
  unauthenticated: 'Unauthorized - Invalid or missing authentication',
  forbidden: 'Forbidden - Insufficient permissions',
  not_found: "Not Found - Resource doesn't exist",
  conflict: 'Conflict - Resource already exists',
  rate_limited: 'Too Many Requests - Rate limit exceeded',
  quota_exceeded: 'Too Many Requests - Daily quota exceeded',
  insufficient_credits: 'Payment Required - Insufficient credits',
  payload_too_large: 'Payload Too Large',
  unsupported_media_type: 'Unsupported Media Type - send application/json',
  bad_request: 'Bad Request - Invalid input parameters',
  uri_too_long: 'URI Too Long',
  headers_too_large: 'Request Header Fields Too Large',
  request_timeout: 'Request Timeout',
  not_ready: 'Accepted - not completed yet',
  unavailable: 'Service Unavailable',
  bad_gateway: 'Bad Gateway - an upstream service failed',
  internal: 'Internal Server Error - Unexpected server error',
};

export function renderCodeepError(error: DomainError, _request: RequestInfo): RenderedError {
  if (error.code === 'validation') {
    const issues = error.issues ?? [];
    const missing = issues.some((i) => i.type === 'missing');
    return {
      status: 400,
      body: {
        msg: missing ? 'Missing required fields' : error.message,
        error: issues.length
          ? issues
              .map((i) => `${i.location.slice(1).join('.') || i.location[0]}: ${i.message}`)
              .join('; ')
          : error.message,
      },
    };
  }
  const body: Record<string, unknown> = { msg: error.message, error: DESCRIPTION[error.code] };
  if (error.code === 'rate_limited' && error.details?.retryAfter !== undefined) {
    body.retry_after = error.details.retryAfter;
  }
  // The daily task quota says where the user stands, as /auth/quota/validate's 429 does.
  if (error.code === 'quota_exceeded') {
    for (const key of ['daily_limit', 'used_today'] as const)
      if (typeof error.details?.[key] === 'number') body[key] = error.details[key];
  }
  return { status: STATUS[error.code], body };
}
