/**
 * CMBCluster's error body: `{detail, error_code, timestamp}` with `detail` a string.
 * The spec lists 400 (not 422) for invalid parameters and shows `BAD_REQUEST`, so a
 * validation failure is a 400 whose detail names the field.
 */
import type { DomainError, ErrorCode } from '../../core/errors.ts';
import { ERROR_CODE_WORDS, ERROR_STATUS } from '../../http/error-status.ts';
import type { RenderedError, RequestInfo } from '../../http/surface.ts';

/** Each core error code's `error_code` on this surface. */
const CODES: Record<ErrorCode, string> = {
  ...ERROR_CODE_WORDS,
  validation: 'BAD_REQUEST',
  bad_request: 'BAD_REQUEST',
  not_ready: 'CONFLICT',
};

export function renderCmbClusterError(error: DomainError, _request: RequestInfo): RenderedError {
  const status = ERROR_STATUS[error.code];
  const errorCode = CODES[error.code];
  let detail = error.message;
  if (error.code === 'validation' && error.issues?.length) {
    const first = error.issues[0]!;
    const field = first.location.slice(1).join('.');
    detail = field ? `${field}: ${first.message}` : first.message;
  } else if (error.code === 'rate_limited' && typeof error.details?.limit === 'number') {
    // The spec's wording: "Rate limit exceeded: 60 requests per minute".
    const seconds = Number(error.details.windowSeconds);
    const unit = seconds === 3600 ? 'hour' : seconds === 60 ? 'minute' : `${seconds} seconds`;
    detail = `Rate limit exceeded: ${error.details.limit} requests per ${unit}`;
  }
  return {
    status,
    body: { detail, error_code: errorCode, timestamp: new Date().toISOString() },
  };
}
