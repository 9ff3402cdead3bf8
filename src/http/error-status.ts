/**
 * The HTTP status of each core error code, as most specs have it. A surface whose spec
 * differs overrides only those codes (`{ ...ERROR_STATUS, validation: 422 }`).
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
