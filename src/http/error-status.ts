/**
 * The HTTP status of each core error code, as most specs have it, and the upper-case
 * `error_code` word the specs with one use (AutoServe, Task Assistant, CMBCluster). A
 * surface whose spec differs overrides only those codes (`{ ...ERROR_STATUS, validation: 422 }`).
 */
import type { ErrorCode } from '../core/errors.ts';

export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = {
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
  bad_request: 400,
  uri_too_long: 414,
  headers_too_large: 431,
  request_timeout: 408,
  not_ready: 409,
  unavailable: 503,
  bad_gateway: 502,
  internal: 500,
};

export const ERROR_CODE_WORDS: Readonly<Record<ErrorCode, string>> = {
  validation: 'VALIDATION_ERROR',
  unauthenticated: 'UNAUTHORIZED',
  forbidden: 'FORBIDDEN',
  not_found: 'NOT_FOUND',
  conflict: 'CONFLICT',
  rate_limited: 'RATE_LIMITED',
  quota_exceeded: 'RATE_LIMITED',
  insufficient_credits: 'INSUFFICIENT_CREDITS',
  payload_too_large: 'PAYLOAD_TOO_LARGE',
  unsupported_media_type: 'UNSUPPORTED_MEDIA_TYPE',
  bad_request: 'VALIDATION_ERROR',
  uri_too_long: 'URI_TOO_LONG',
  headers_too_large: 'HEADERS_TOO_LARGE',
  request_timeout: 'REQUEST_TIMEOUT',
  not_ready: 'NOT_READY',
  unavailable: 'SERVICE_UNAVAILABLE',
  bad_gateway: 'BAD_GATEWAY',
  internal: 'INTERNAL_ERROR',
};
