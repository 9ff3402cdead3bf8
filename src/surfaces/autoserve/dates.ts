/** `scheduled_at` on the wire → epoch ms, or a 400 naming the field. */
import { invalid } from '../../core/errors.ts';

/** Further ahead than this is a mistake, not a schedule. */
const MAX_AHEAD_MS = 366 * 24 * 60 * 60_000;
/** Before this is a mistake too (a time in the recent past just runs now). */
const EARLIEST = Date.UTC(2000, 0, 1);

export function parseScheduledAt(value: string | null | undefined, now: number) {
  if (value === undefined || value === null) return value;
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms))
    throw invalid(
      'scheduled_at',
      'scheduled_at must be an ISO 8601 date-time',
      'type_error.datetime',
    );
  if (ms < EARLIEST || ms > now + MAX_AHEAD_MS)
    throw invalid(
      'scheduled_at',
      'scheduled_at must be after 2000-01-01 and at most a year from now',
      'value_error',
    );
  return ms;
}
