/**
 * Turns whatever a request threw (a DomainError from the core, a Fastify validation or
 * body-parser error, a rate-limit refusal, a bug) into one DomainError, so each
 * surface's errors.ts renders a single type in its spec's shape.
 */
import type { FastifyError } from 'fastify';
import { DomainError, type ValidationIssue } from '../core/errors.ts';

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

export function normaliseError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  const e = error as FastifyError & { validation?: AjvIssue[]; validationContext?: string };
  if (Array.isArray(e?.validation))
    return fromValidation(e.validation, e.validationContext ?? 'body');
  switch (e?.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new DomainError(
        'unsupported_media_type',
        'Unsupported Media Type: send application/json',
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new DomainError('payload_too_large', 'Request body is too large');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return issue('body', 'Request body is empty but Content-Type is application/json', 'missing');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return issue('body', 'Malformed JSON in request body', 'json_invalid');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return issue('body', 'Content-Length does not match the body', 'value_error');
    case 'FST_ERR_BAD_URL':
      return new DomainError('bad_request', 'Malformed URL: invalid percent-encoding');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new DomainError('uri_too_long', 'A path segment of the URL is too long');
  }
  if (e instanceof SyntaxError || e?.name === 'SyntaxError') {
    return issue('body', 'Malformed JSON in request body', 'json_invalid');
  }
  const status = typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (status === 413) return new DomainError('payload_too_large', 'Request body is too large');
  if (status === 414) return new DomainError('uri_too_long', 'URI too long');
  if (status === 431) return new DomainError('headers_too_large', 'Request headers are too large');
  if (status === 415) return new DomainError('unsupported_media_type', e.message);
  if (status === 404) return new DomainError('not_found', 'Not found');
  if (status === 401) return new DomainError('unauthenticated', 'Not authenticated');
  if (status === 403) return new DomainError('forbidden', 'Forbidden');
  if (status === 429) return new DomainError('rate_limited', 'Rate limit exceeded');
  if (status >= 400 && status < 500)
    return issue('request', e.message || 'Bad request', 'value_error');
  return new DomainError('internal', 'Internal server error');
}

function issue(where: string, message: string, type: string): DomainError {
  return new DomainError('validation', message, { issue: message }, [
    { location: [where], message, type },
  ]);
}

const PART: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
};

function fromValidation(ajvIssues: AjvIssue[], context: string): DomainError {
  const part = PART[context] ?? context;
  const issues: ValidationIssue[] = ajvIssues.map((i) => {
    const path = i.instancePath.split('/').filter(Boolean).map(unescapePointer);
    switch (i.keyword) {
      case 'required':
        return {
          location: [part, ...path, String(i.params.missingProperty)],
          message: 'field required',
          type: 'missing',
        };
      case 'additionalProperties':
        return {
          location: [part, ...path, String(i.params.additionalProperty)],
          message: 'extra fields not permitted',
          type: 'extra_forbidden',
        };
      case 'type':
        return {
          location: [part, ...path],
          message: `must be ${i.params.type}`,
          type: `type_error.${i.params.type}`,
        };
      case 'format':
        return {
          location: [part, ...path],
          message:
            i.params.format === 'email'
              ? 'value is not a valid email address'
              : `must be a valid ${i.params.format}`,
          type:
            i.params.format === 'email' ? 'value_error.email' : `value_error.${i.params.format}`,
        };
      case 'enum':
        return {
          location: [part, ...path],
          message: `must be one of: ${(i.params.allowedValues as unknown[]).join(', ')}`,
          type: 'type_error.enum',
        };
      default:
        return {
          location: [part, ...path],
          message: i.message ?? 'invalid value',
          type: `value_error.${i.keyword}`,
        };
    }
  });
  const first = issues[0]!;
  const field = first.location.slice(1).join('.') || String(first.location[0]);
  const message = `${field}: ${first.message}`;
  return new DomainError('validation', message, { field, issue: first.message }, issues);
}

const unescapePointer = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');
