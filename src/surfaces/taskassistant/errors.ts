/**
 * Task Assistant's error body: `{detail, error_code, timestamp}`; validation failures
 * are 422 with `detail` a list of `{loc, msg, type}` (FastAPI's shape); 429 adds
 * `retry_after`.
 */
import type { FastifyRequest } from 'fastify';
import type { DomainError, ErrorCode } from '../../core/errors.ts';
import type { RenderedError } from '../../http/surface.ts';

const MAPPING: Record<ErrorCode, [number, string]> = {
  validation: [422, 'VALIDATION_ERROR'],
  unauthenticated: [401, 'UNAUTHORIZED'],
  forbidden: [403, 'FORBIDDEN'],
  not_found: [404, 'NOT_FOUND'],
  conflict: [409, 'CONFLICT'],
  rate_limited: [429, 'RATE_LIMIT_EXCEEDED'],
  quota_exceeded: [429, 'QUOTA_EXCEEDED'],
  insufficient_credits: [402, 'INSUFFICIENT_CREDITS'],
  payload_too_large: [413, 'PAYLOAD_TOO_LARGE'],
  unsupported_media_type: [415, 'UNSUPPORTED_MEDIA_TYPE'],
  not_ready: [409, 'NOT_READY'],
  unavailable: [503, 'SERVICE_UNAVAILABLE'],
  internal: [500, 'INTERNAL_ERROR'],
};

export function renderTaskAssistantError(
  error: DomainError,
  _request: FastifyRequest,
): RenderedError {
  const [status, errorCode] = MAPPING[error.code];
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
