/**
 * How JSON request bodies are read: an empty body with `Content-Type: application/json`
 * counts as no body, `text/plain` is not a body at all (415), and JSON nested deeper than
 * `TASKLANE_JSON_MAX_DEPTH` is refused before it is parsed. A deeply nested value parses
 * fine but overflows the stack of whatever walks it recursively next (JSON.stringify,
 * schema validation, a driver), which would be a 500.
 */
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../core/errors.ts';

/**
 * Whether `text` opens more than `max` arrays/objects inside one another. A linear scan
 * of the raw text (no recursion, nothing allocated), so it is safe on any input; text
 * inside JSON strings is skipped. Malformed JSON is the parser's to refuse.
 */
export function jsonTooDeep(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** What a client is told when its JSON nests past `max` levels. */
export const tooDeepMessage = (max: number) => `JSON is nested more than ${max} levels deep`;

/** The validation error for a body nested past the limit. */
export function tooDeepError(max: number): DomainError {
  const message = tooDeepMessage(max);
  return new DomainError('validation', message, { field: 'body', issue: message }, [
    { location: ['body'], message, type: 'value_error.json_depth' },
  ]);
}

/** Replaces Fastify's JSON and text parsers with the rules above, for the whole app. */
export function installJsonParser(app: FastifyInstance, maxDepth: number): void {
  app.removeContentTypeParser('text/plain');
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    if (jsonTooDeep(text, maxDepth)) return done(tooDeepError(maxDepth), undefined);
    return parseJson(request, text, done);
  });
}
