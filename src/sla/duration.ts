/**
 * SLA target durations as supervisors write them: `30m`, `4h`, `1h30m`, `2d`, `1d4h` (and `90s`, for
 * demonstrations and tests with short targets).
 *
 * All targets are *business* time on the policy's calendar. `m` and `h` are exact; `d` is a business day,
 * i.e. the calendar's `day_length` (explicit, or derived as weekly business time divided by the number of
 * open weekdays: 8 h for a Monday-to-Friday 09:00-17:00 office, 24 h for 24x7). So `2d` on an office
 * calendar means "two working days", not 48 business hours. A bare number is refused: `30` could be
 * minutes or hours, and a wrong guess silently breaks a promise.
 */
import { z } from 'zod';

/** A duration split into business days and minutes; days are resolved against a calendar later. */
export type BusinessDuration = { days: number; minutes: number };

const DURATION_PATTERN = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/**
 * Parses `30m`, `4h`, `1h30m`, `2d`, `1d4h`, `45s`; returns null for anything else (including zero).
 * Seconds become fractional minutes.
 */
export const parseDuration = (text: string): BusinessDuration | null => {
  const match = DURATION_PATTERN.exec(text.trim());
  if (match === null || (match[1] === undefined && match[2] === undefined && match[3] === undefined && match[4] === undefined)) return null;
  const days = Number(match[1] ?? 0);
  const minutes = Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0) + Number(match[4] ?? 0) / 60;
  if (days === 0 && minutes === 0) return null;
  return { days, minutes };
};

/** Business minutes of a duration on a calendar whose business day lasts `dayLengthMinutes`. */
export const durationToMinutes = (duration: BusinessDuration, dayLengthMinutes: number): number =>
  duration.days * dayLengthMinutes + duration.minutes;

/** Formats business minutes back as `1d 2h 30m` style text (days of `dayLengthMinutes`, if given). */
export const formatBusinessMinutes = (minutes: number, dayLengthMinutes?: number): string => {
  const sign = minutes < 0 ? '-' : '';
  let rest = Math.round(Math.abs(minutes));
  const parts: string[] = [];
  if (dayLengthMinutes !== undefined && dayLengthMinutes > 0 && rest >= dayLengthMinutes) {
    parts.push(`${Math.floor(rest / dayLengthMinutes)}d`);
    rest %= dayLengthMinutes;
  }
  if (rest >= 60) parts.push(`${Math.floor(rest / 60)}h`);
  if (rest % 60 !== 0 || parts.length === 0) parts.push(`${rest % 60}m`);
  return sign + parts.join(' ');
};

export const DURATION_HINT = 'a business duration such as 30m, 4h, 1h30m or 2d (d = one business day of the calendar)';

/** zod schema for a duration string; the parsed value stays a string (days need the calendar). */
export const durationSchema = z
  .string({
    error: (issue) =>
      typeof issue.input === 'number'
        ? `a bare number is ambiguous: write ${issue.input}m, ${issue.input}h or ${issue.input}d`
        : `expected ${DURATION_HINT}`,
  })
  .refine((text) => parseDuration(text) !== null, { error: (issue) => `invalid duration ${JSON.stringify(issue.input)}: expected ${DURATION_HINT}` });
