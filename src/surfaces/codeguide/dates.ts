/** `YYYY-MM-DD` query values → UTC epoch-ms bounds, or a 422 naming the field. */
import { invalid } from '../../core/errors.ts';

const DAY_MS = 86_400_000;

/** The first millisecond of the UTC day (undefined passes through). */
export function startOfDay(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const [year, month, day] = match ? [+match[1]!, +match[2]!, +match[3]!] : [0, 0, 0];
  // Date.UTC rolls 2025-02-30 over to March 2nd; a real date has that day in that month.
  const valid =
    match &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (!valid) throw invalid(field, `${field} must be a date as YYYY-MM-DD`, 'type_error.date');
  return Date.UTC(year, month - 1, day);
}

/** The last millisecond of the UTC day: an end date includes its whole day. */
export function endOfDay(value: string | undefined, field: string): number | undefined {
  const start = startOfDay(value, field);
  return start === undefined ? undefined : start + DAY_MS - 1;
}
