/**
 * Task Assistant's error body: `{detail, error_code, timestamp}`; validation failures
 * are 422 with `detail` a list of `{loc, msg, type}` (FastAPI's shape); 429 adds
 * `retry_after`.
 */
import type { DomainError, ErrorCode } from '../../core/errors.ts';
import { ERROR_STATUS } from '../../http/error-status.ts';
import type { RenderedError, RequestInfo } from '../../http/surface.ts';

const STATUS: Record<ErrorCode, number> = { ...ERROR_STATUS, validation: 422 };

/** Each core error code's `error_code` on this surface. */
const CODES: Record<ErrorCode, string> = {
  validation: 'VALIDATION_ERROR',
  unauthenticated: 'UNAUTHORIZED',
  forbidden: 'FORBIDDEN',
  not_found: 'NOT_FOUND',
  conflict: 'CONFLICT',
  rate_limited: 'RATE_LIMIT_EXCEEDED',
  quota_exceeded: 'QUOTA_EXCEEDED',
  insufficient_credits: 'INSUFFICIENT_CREDITS',
  payload_too_large: 'PAYLOAD_TOO_LARGE',
  unsupported_media_type: 'UNSUPPORTED_MEDIA_TYPE',
  // The spec's own example pairs a plain-string detail with VALIDATION_ERROR: a 400.
  bad_request: 'VALIDATION_ERROR',
  uri_too_long: 'URI_TOO_LONG',
  headers_too_large: 'HEADERS_TOO_LARGE',
  request_timeout: 'REQUEST_TIMEOUT',
  not_ready: 'NOT_READY',
  unavailable: 'SERVICE_UNAVAILABLE',
  bad_gateway: 'BAD_GATEWAY',
  internal: 'INTERNAL_ERROR',
};

export function renderTaskAssistantError(error: DomainError, _request: RequestInfo): RenderedError {
  const status = STATUS[error.code];
  const errorCode = CODES[error.code];
  const timestamp = new Date().toISOString();
  if (error.code === 'validation') {
    const issues = error.issues?.length
      ? error.issues
      : [{ location: ['body'], message: error.message, type: 'value_error' }];
    return {
      status,
      body: {
        detail: issues.map((i) => ({ loc: i.location, msg: i.message, type: i.type })),
        error_code: errorCode,
        timestamp,
      },
    };
  }
  const body: Record<string, unknown> = { detail: error.message, error_code: errorCode, timestamp };
  if (error.code === 'rate_limited') body.retry_after = error.details?.retryAfter ?? 60;
  return { status, body };
}
