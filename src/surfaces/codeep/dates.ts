/** ISO 8601 query and body values → epoch ms, or a 400 naming the field. */
import { invalid } from '../../core/errors.ts';

export function parseIsoTime(
  value: string | null | undefined,
  field: string,
): number | null | undefined {
  if (value === undefined || value === null) return value;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms))
    throw invalid(field, `${field} must be an ISO 8601 date or date-time`, 'type_error.datetime');
  return ms;
}
