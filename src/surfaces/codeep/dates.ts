/** ISO 8601 query and body values → epoch ms, or a 400 naming the field. */
import { invalid } from '../../core/errors.ts';

const DATE = /^(\d{4})-(\d{2})-(\d{2})/;
const OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;

export function parseIsoTime(
  value: string | null | undefined,
  field: string,
): number | null | undefined {
  if (value === undefined || value === null) return value;
  const date = DATE.exec(value);
  // Days are UTC everywhere: a date-time without an offset is UTC, not the server's zone.
  const ms = date
    ? Date.parse(value.length > 10 && !OFFSET.test(value) ? `${value}Z` : value)
    : NaN;
  if (!date || Number.isNaN(ms) || !isCalendarDate(+date[1]!, +date[2]!, +date[3]!))
    throw invalid(field, `${field} must be an ISO 8601 date or date-time`, 'type_error.datetime');
  return ms;
}

/** Date.parse rolls 2025-02-30 over to March 2nd; a real date has that day in that month. */
function isCalendarDate(year: number, month: number, day: number): boolean {
  return (
    month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate()
  );
}
