/**
 * Codeep's error body: `{msg, error}` — `msg` a short sentence, `error` the detail.
 */
import type { FastifyRequest } from 'fastify';
import type { DomainError, ErrorCode } from '../../core/errors.ts';
import type { RenderedError } from '../../http/surface.ts';

const STATUS: Record<ErrorCode, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  quota_exceeded: 429,
  insufficient_credits: 402,
  payload_too_large: 413,
  unsupported_media_type: 415,
  not_ready: 202,
  unavailable: 503,
  internal: 500,
};

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
  not_ready: 'Accepted - not completed yet',
  unavailable: 'Service Unavailable',
  internal: 'Internal Server Error - Unexpected server error',
};

export function renderCodeepError(error: DomainError, _request: FastifyRequest): RenderedError {
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
