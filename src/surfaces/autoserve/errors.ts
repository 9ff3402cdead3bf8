/**
 * AutoServe's error body: `{error: {code, message, details, timestamp, request_id}}`.
 */
import type { DomainError } from '../../core/errors.ts';
import { ERROR_CODE_WORDS, ERROR_STATUS } from '../../http/error-status.ts';
import type { RenderedError, RequestInfo } from '../../http/surface.ts';

/** Core field names → the names AutoServe's requests use. */
const WIRE_FIELDS: Record<string, string> = {
  kind: 'task_type',
  prompt: 'parameters.prompt',
  toolset: 'parameters.toolset',
};

function wireField(location: (string | number)[]): string {
  const field = location.slice(1).join('.') || String(location[0]);
  return WIRE_FIELDS[field] ?? field;
}

export function renderAutoServeError(error: DomainError, request: RequestInfo): RenderedError {
  const status = ERROR_STATUS[error.code];
  const code = ERROR_CODE_WORDS[error.code];
  let details: Record<string, unknown> | null = null;
  if (error.code === 'validation' && error.issues?.length) {
    const first = error.issues[0]!;
    details = {
      field: wireField(first.location),
      issue: first.message,
      ...(error.issues.length > 1
        ? {
            errors: error.issues.map((i) => ({
              field: wireField(i.location),
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
