/**
 * CodeGuide's error body: `{detail}`, a sentence, with the spec's status codes
 * (422 for validation, 402 when the credits do not cover a generation).
 */
import type { DomainError, ErrorCode } from '../../core/errors.ts';
import { ERROR_STATUS } from '../../http/error-status.ts';
import type { RenderedError, RequestInfo } from '../../http/surface.ts';

const STATUS: Record<ErrorCode, number> = { ...ERROR_STATUS, validation: 422 };

export function renderCodeGuideError(error: DomainError, _request: RequestInfo): RenderedError {
  const status = STATUS[error.code];
  if (error.code === 'internal') return { status, body: { detail: 'Internal server error' } };
  if (error.code === 'validation' && error.issues?.length) {
    const detail = error.issues
      .map((i) => {
        const where = i.location.slice(1).join('.') || String(i.location[0] ?? '');
        return where && !i.message.startsWith(where) ? `${where}: ${i.message}` : i.message;
      })
      .join('; ');
    return { status, body: { detail } };
  }
  return { status, body: { detail: error.message } };
}
