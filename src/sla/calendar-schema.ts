/**
 * The shape of a business-hours calendar, as written in `rules/sla.yaml` or passed to `compileCalendar`,
 * and its validation.
 *
 * ```yaml
 * name: office-berlin
 * time_zone: Europe/Berlin
 * hours:                       # local wall-clock times; weekdays left out are closed
 *   mon: ["09:00-12:30", "13:30-17:00"]
 *   fri: ["09:00-15:00", "22:00-06:00"]   # an end at or before the start runs past midnight
 * holidays:
 *   - { date: 2024-12-25, name: Christmas }
 *   - { date: 2024-12-24, from: "12:00" }  # partial day: closed 12:00-24:00
 * day_length: 8h               # optional: what `1d` means in targets on this calendar
 * ```
 *
 * Rules checked here (each failure names the field):
 * - times are `HH:MM` (00:00-23:59; `24:00` only as an end), a range's start and end differ;
 * - ranges do not overlap anywhere in the week, including an overnight range running into the next
 *   day's ranges and Sunday's overnight range running into Monday (touching ranges are fine);
 * - the week has some business time (otherwise no due time could ever be computed);
 * - the time zone is an IANA zone the runtime knows; holiday dates exist; a holiday's from < to.
 */
import { z } from 'zod';
import { isValidTimeZone } from './zone-timeline.js';
import { parseDuration } from './duration.js';
import { strictObjectError } from './schema-messages.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const MINUTES_PER_DAY = 1440;
export const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

const TIME_PATTERN = /^(\d{2}):(\d{2})$/;
const RANGE_PATTERN = /^\s*(\d{2}:\d{2})\s*-\s*(\d{2}:\d{2})\s*$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Minutes after midnight of `HH:MM`; `24:00` only when `allowEndOfDay`. Null when invalid. */
export const parseClockTime = (text: string, allowEndOfDay = false): number | null => {
  const match = TIME_PATTERN.exec(text);
  if (match === null) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (hours === 24 && minutes === 0 && allowEndOfDay) return MINUTES_PER_DAY;
  if (hours > 23 || minutes > 59) return null;
  return hours * 60 + minutes;
};

/**
 * A daily range in minutes after the midnight of the day it belongs to; `to` is above 1440 for an
 * overnight range (`22:00-06:00` → from 1320, to 1800).
 */
export type HoursRange = { from: number; to: number };

/** Parses `HH:MM-HH:MM`. An end at or before the start means the range runs past midnight. */
export const parseHoursRange = (text: string): HoursRange | null => {
  const match = RANGE_PATTERN.exec(text);
  if (match === null) return null;
  const from = parseClockTime(match[1]);
  const to = parseClockTime(match[2], true);
  if (from === null || to === null || from === to) return null;
  return { from, to: to > from ? to : to + MINUTES_PER_DAY };
};

/** Days since 1970-01-01 of a `YYYY-MM-DD` date, or null when it is not a real date. */
export const parseIsoDate = (text: string): number | null => {
  const match = DATE_PATTERN.exec(text);
  if (match === null) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  return ms / 86_400_000;
};

const RANGE_HINT = 'expected "HH:MM-HH:MM" such as "09:00-17:00" (an end at or before the start runs past midnight; 24:00 only as an end)';

const rangeSchema = z
  .string({ error: RANGE_HINT })
  .refine((text) => parseHoursRange(text) !== null, { error: (issue) => `invalid hours ${JSON.stringify(issue.input)}: ${RANGE_HINT}` });

const daySchema = z.array(rangeSchema, { error: 'expected a list of ranges, e.g. ["09:00-17:00"] (use [] for closed)' });

const hoursSchema = z.strictObject(
  Object.fromEntries(WEEKDAYS.map((weekday) => [weekday, daySchema.optional()])) as Record<Weekday, z.ZodOptional<typeof daySchema>>,
  { error: strictObjectError('hours', WEEKDAYS) },
);

const clockTimeSchema = (allowEndOfDay: boolean) =>
  z
    .string({ error: 'expected a time "HH:MM"' })
    .refine((text) => parseClockTime(text, allowEndOfDay) !== null, {
      error: (issue) => `invalid time ${JSON.stringify(issue.input)}: expected "HH:MM"${allowEndOfDay ? ' (or 24:00)' : ''}`,
    });

const holidaySchema = z
  .strictObject({
    date: z
      .string({ error: 'expected a date "YYYY-MM-DD"' })
      .refine((text) => parseIsoDate(text) !== null, { error: (issue) => `invalid date ${JSON.stringify(issue.input)}: expected "YYYY-MM-DD"` }),
    name: z.string().optional(),
    /** closed from this local time (default 00:00) */
    from: clockTimeSchema(false).optional(),
    /** closed until this local time (default 24:00) */
    to: clockTimeSchema(true).optional(),
  }, { error: strictObjectError('a holiday', ['date', 'name', 'from', 'to']) })
  .superRefine((holiday, ctx) => {
    const from = parseClockTime(holiday.from ?? '00:00');
    const to = parseClockTime(holiday.to ?? '24:00', true);
    if (from !== null && to !== null && from >= to) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `a holiday's "to" (${holiday.to ?? '24:00'}) must be after its "from" (${holiday.from ?? '00:00'})` });
    }
  });

export const CALENDAR_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** zod schema of one calendar definition (the YAML shape). */
export const calendarSchema = z
  .strictObject({
    name: z.string({ error: 'expected a calendar name' }).regex(CALENDAR_NAME_PATTERN, { error: 'a calendar name uses letters, digits, "-", "_" and "."' }),
    time_zone: z
      .string({ error: 'expected an IANA time zone such as "Europe/Berlin"' })
      .refine(isValidTimeZone, { error: (issue) => `unknown time zone ${JSON.stringify(issue.input)}: expected an IANA name such as "Europe/Berlin" or "UTC"` }),
    hours: hoursSchema,
    holidays: z.array(holidaySchema, { error: 'expected a list of holidays' }).optional(),
    day_length: z
      .string({ error: 'expected a duration such as 8h' })
      .refine((text) => {
        const parsed = parseDuration(text);
        return parsed !== null && parsed.days === 0 && parsed.minutes <= MINUTES_PER_DAY;
      }, { error: 'day_length must be hours and minutes, at most 24h (e.g. 8h or 7h30m)' })
      .optional(),
  }, { error: strictObjectError('a calendar', ['name', 'time_zone', 'hours', 'holidays', 'day_length']) })
  .superRefine((calendar, ctx) => {
    checkWeek(calendar.hours, (path, message) => ctx.addIssue({ code: 'custom', path: ['hours', ...path], message }));
  });

/** A calendar definition as written in YAML (input of `compileCalendar`). */
export type CalendarDefinition = z.input<typeof calendarSchema>;
export type HolidayDefinition = NonNullable<CalendarDefinition['holidays']>[number];

/**
 * Checks the weekly schedule for overlaps (on a circular week, so Sunday night runs into Monday) and for
 * an empty week. Reports through `report(pathWithinHours, message)`.
 */
const checkWeek = (
  hours: Partial<Record<Weekday, string[]>>,
  report: (path: Array<string | number>, message: string) => void,
): void => {
  type Placed = { weekday: Weekday; index: number; text: string; start: number; end: number };
  const placed: Placed[] = [];
  WEEKDAYS.forEach((weekday, dayIndex) => {
    (hours[weekday] ?? []).forEach((text, index) => {
      const range = parseHoursRange(text);
      if (range === null) return; // reported by the range schema
      const start = dayIndex * MINUTES_PER_DAY + range.from;
      placed.push({ weekday, index, text, start, end: dayIndex * MINUTES_PER_DAY + range.to });
    });
  });
  if (placed.length === 0) {
    report([], 'the calendar has no business hours at all: give at least one weekday a range');
    return;
  }
  // Unroll the circular week: a range past the week's end also appears one week earlier.
  const pieces = placed.flatMap((range) =>
    range.end > MINUTES_PER_WEEK ? [range, { ...range, start: range.start - MINUTES_PER_WEEK, end: range.end - MINUTES_PER_WEEK }] : [range],
  );
  pieces.sort((a, b) => a.start - b.start || a.end - b.end);
  const reported = new Set<string>();
  let reach = pieces[0];
  for (const later of pieces.slice(1)) {
    const sameRange = reach.weekday === later.weekday && reach.index === later.index;
    if (later.start < reach.end && !sameRange) {
      const key = `${later.weekday}/${later.index}`;
      if (!reported.has(key)) {
        reported.add(key);
        report([later.weekday, later.index], `${later.weekday} "${later.text}" overlaps ${reach.weekday} "${reach.text}"`);
      }
    }
    if (later.end > reach.end) reach = later;
  }
};
