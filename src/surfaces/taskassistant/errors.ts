/**
 * Task Assistant's error body: `{detail, error_code, timestamp}`; validation failures
 * are 422 with `detail` a list of `{loc, msg, type}` (FastAPI's shape); 429 adds
 * `retry_after`.
 */
import type { DomainError, ErrorCode } from '../../core/errors.ts';
import { ERROR_CODE_WORDS, ERROR_STATUS } from '../../http/error-status.ts';
import type { RenderedError, RequestInfo } from '../../http/surface.ts';

const STATUS: Record<ErrorCode, number> = { ...ERROR_STATUS, validation: 422 };

/**
 * Each core error code's `error_code` on this surface. The spec's own example pairs a
 * plain-string detail with VALIDATION_ERROR (a 400 bad_request, the shared word).
 */
const CODES: Record<ErrorCode, string> = {
  ...ERROR_CODE_WORDS,
  rate_limited: 'RATE_LIMIT_EXCEEDED',
  quota_exceeded: 'QUOTA_EXCEEDED',
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
