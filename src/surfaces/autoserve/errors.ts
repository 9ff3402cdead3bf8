/**
 * AutoServe's error body: `{error: {code, message, details, timestamp, request_id}}`.
 */
import type { FastifyRequest } from 'fastify';
import type { DomainError, ErrorCode } from '../../core/errors.ts';
import type { RenderedError } from '../../http/surface.ts';

const MAPPING: Record<ErrorCode, [number, string]> = {
  validation: [400, 'VALIDATION_ERROR'],
  unauthenticated: [401, 'UNAUTHORIZED'],
  forbidden: [403, 'FORBIDDEN'],
  not_found: [404, 'NOT_FOUND'],
  conflict: [409, 'CONFLICT'],
  rate_limited: [429, 'RATE_LIMITED'],
  quota_exceeded: [429, 'RATE_LIMITED'],
  insufficient_credits: [402, 'INSUFFICIENT_CREDITS'],
  payload_too_large: [413, 'PAYLOAD_TOO_LARGE'],
  unsupported_media_type: [415, 'UNSUPPORTED_MEDIA_TYPE'],
  not_ready: [409, 'NOT_READY'],
  unavailable: [503, 'SERVICE_UNAVAILABLE'],
  internal: [500, 'INTERNAL_ERROR'],
};

export function renderAutoServeError(error: DomainError, request: FastifyRequest): RenderedError {
  const [status, code] = MAPPING[error.code];
  let details: Record<string, unknown> | null = null;
  if (error.code === 'validation' && error.issues?.length) {
    const first = error.issues[0]!;
    details = {
      field: first.location.slice(1).join('.') || String(first.location[0]),
      issue: first.message,
      ...(error.issues.length > 1
        ? {
            errors: error.issues.map((i) => ({
              field: i.location.slice(1).join('.'),
              issue: i.message,
            })),
          }
        : {}),
    };
  } else if (error.details) {
    details = error.details;
  }
  return {
    status,
    body: {
      error: {
        code,
        message: error.code === 'validation' ? 'Invalid input parameters' : error.message,
        details,
        timestamp: new Date().toISOString(),
        request_id: request.id,
      },
    },
  };
}
