/**
 * Business-hours calendar arithmetic: add business minutes to an instant, business minutes between two
 * instants, is an instant business time, the next business instant.
 *
 * Definition (everything else follows from it)
 *   An instant is business time when its *local wall-clock reading* in the calendar's zone falls inside
 *   one of the ranges that cover that reading, and not inside a holiday closure of that local date.
 *   A range belongs to the weekday it starts on; an overnight range (`fri: 22:00-06:00`) covers Friday
 *   22:00-24:00 and Saturday 00:00-06:00 readings. A holiday closes wall-clock readings of its own date
 *   (00:00-24:00, or its from-to): Friday night's shift is cut at midnight if Saturday is a holiday, and a
 *   shift starting on a holiday evening still runs after midnight (close that with a second, partial
 *   holiday on the next date). Business time is measured in real elapsed time, not in wall-clock minutes.
 *
 * Consequences at DST changes (both directions, any zone)
 *   - A range that does not touch the shifted hour is unchanged: 09:00-17:00 is 8 h on the change day.
 *   - A range spanning the skipped hour is an hour shorter: 00:00-06:00 is 5 h on spring-forward day.
 *   - A range spanning the repeated hour is an hour longer: 00:00-06:00 is 7 h on fall-back day.
 *   - A range starting inside the skipped hour starts when the clock jumps (02:30-04:00 on a 02:00→03:00
 *     day is 03:00-04:00, 1 h); one starting inside the repeated hour counts both passes through its
 *     part of that hour (02:30-04:00 on a 03:00→02:00 day: 02:30-03:00 summer time, then 02:30-04:00
 *     winter time, 2 h).
 *   `24x7` therefore has 23 h and 25 h days in zones with DST; the built-in `24x7` runs on UTC.
 *
 * Approach (no minute-by-minute iteration)
 *   1. Each local date is compiled once into its business intervals in UTC milliseconds: the weekday's
 *      wall-clock ranges (plus the previous weekday's overnight tail) minus that date's holiday closures,
 *      mapped to UTC through the zone's offset step function (see zone-timeline.ts). Local dates partition
 *      time, so walking dates in order walks time in order. Compiled dates are cached per calendar.
 *   2. `addBusinessMs` walks dates from the start, consuming whole intervals and splitting the last one.
 *      `businessMsBetween` sums interval overlaps. Both are O(number of intervals crossed).
 *   3. Whole weeks are jumped in O(1): when a walk stands at the start of a local date and the next seven
 *      dates hold no holiday and no offset change, those seven dates contain exactly the calendar's
 *      nominal weekly business time (a schedule is periodic in wall time, and with a constant offset wall
 *      time and real time run in step), so it adds or subtracts `weekMs` and moves on. A target of a year
 *      costs ~52 jumps plus the weeks around DST changes and holidays.
 *   4. Intervals are half-open [open, close): 09:00 is business time, 17:00 is not; adding exactly the
 *      business time left in a day returns the closing instant (17:00), not the next opening.
 */
import { SlaCalendarError, SlaConfigError, formatIssuePath } from './errors.js';
import {
  MINUTES_PER_DAY,
  WEEKDAYS,
  calendarSchema,
  parseClockTime,
  parseHoursRange,
  parseIsoDate,
  type CalendarDefinition,
} from './calendar-schema.js';
import { parseDuration } from './duration.js';
import { DAY_MS, MINUTE_MS, ZoneTimeline, type UtcInterval } from './zone-timeline.js';

/** Walks stop after this many local dates without finding what they need (a century). */
export const MAX_SEARCH_DAYS = 36_525;

/** Compiled dates kept per calendar; the cache is dropped whole when it grows past this. */
const MAX_CACHED_DAYS = 8_192;

/** Name of the built-in round-the-clock calendar (UTC, every day 00:00-24:00). */
export const CALENDAR_24X7 = '24x7';

/** One local date, compiled: its UTC span and its business intervals as flat [start, end, ...] pairs. */
type CompiledDay = { startUtc: number; endUtc: number; intervals: number[] };

const timelines = new Map<string, ZoneTimeline>();
const timelineFor = (zone: string): ZoneTimeline => {
  let timeline = timelines.get(zone);
  if (timeline === undefined) {
    timeline = new ZoneTimeline(zone);
    timelines.set(zone, timeline);
  }
  return timeline;
};

/** 1970-01-01 was a Thursday: index 3 with Monday = 0. */
const weekdayIndexOf = (day: number): number => (((day + 3) % 7) + 7) % 7;

/** Merges sorted-by-start minute pairs that touch or overlap. */
const mergePairs = (pairs: Array<[number, number]>): Array<[number, number]> => {
  const sorted = [...pairs].sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [from, to] of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
};

/** Removes closures from open ranges (both as minute pairs within one date). */
const subtractPairs = (open: Array<[number, number]>, closed: Array<[number, number]>): Array<[number, number]> => {
  let result = open;
  for (const [closedFrom, closedTo] of closed) {
    result = result.flatMap(([from, to]): Array<[number, number]> => {
      if (closedTo <= from || closedFrom >= to) return [[from, to]];
      const pieces: Array<[number, number]> = [];
      if (closedFrom > from) pieces.push([from, closedFrom]);
      if (closedTo < to) pieces.push([closedTo, to]);
      return pieces;
    });
  }
  return result;
};

/**
 * A validated, compiled business-hours calendar. Build with `compileCalendar`; pass to the arithmetic
 * functions below. Immutable from the outside; it caches compiled dates internally, so share one
 * instance per calendar.
 */
export class BusinessCalendar {
  readonly name: string;
  readonly timeZone: string;
  /** the definition it was compiled from, normalized (holidays sorted by date) */
  readonly definition: Readonly<CalendarDefinition>;
  /** nominal business minutes in a week without holidays or offset changes */
  readonly weekMinutes: number;
  /** what `1d` means in targets on this calendar, in business minutes */
  readonly dayLengthMinutes: number;
  /** @internal nominal weekly business time in ms */
  readonly weekMs: number;

  private readonly timeline: ZoneTimeline;
  /** per weekday (Monday = 0): open wall-clock minute pairs within that date, tails included */
  private readonly weekdayOpen: Array<Array<[number, number]>>;
  /** per holiday date (days since epoch): closed minute pairs */
  private readonly closures = new Map<number, Array<[number, number]>>();
  private readonly holidayDays: number[];
  private readonly days = new Map<number, CompiledDay>();

  /** @internal use `compileCalendar`, which validates first */
  constructor(definition: CalendarDefinition) {
    this.name = definition.name;
    this.timeZone = definition.time_zone;
    this.timeline = timelineFor(definition.time_zone);
    this.definition = { ...definition, holidays: [...(definition.holidays ?? [])].sort((a, b) => a.date.localeCompare(b.date)) };

    const open: Array<Array<[number, number]>> = WEEKDAYS.map(() => []);
    let weekMinutes = 0;
    let openWeekdays = 0;
    WEEKDAYS.forEach((weekday, index) => {
      const ranges = (definition.hours[weekday] ?? []).map((text) => parseHoursRange(text)).filter((range) => range !== null);
      if (ranges.length > 0) openWeekdays++;
      for (const range of ranges) {
        weekMinutes += range.to - range.from;
        open[index].push([range.from, Math.min(range.to, MINUTES_PER_DAY)]);
        if (range.to > MINUTES_PER_DAY) open[(index + 1) % 7].push([0, range.to - MINUTES_PER_DAY]);
      }
    });
    this.weekdayOpen = open.map(mergePairs);
    this.weekMinutes = weekMinutes;
    this.weekMs = weekMinutes * MINUTE_MS;
    const dayLength = definition.day_length === undefined ? null : parseDuration(definition.day_length);
    this.dayLengthMinutes = dayLength !== null ? dayLength.minutes : Math.round(weekMinutes / Math.max(openWeekdays, 1));

    for (const holiday of this.definition.holidays ?? []) {
      const day = parseIsoDate(holiday.date);
      const from = parseClockTime(holiday.from ?? '00:00');
      const to = parseClockTime(holiday.to ?? '24:00', true);
      if (day === null || from === null || to === null) continue; // excluded by validation
      const list = this.closures.get(day) ?? [];
      list.push([from, to]);
      this.closures.set(day, list);
    }
    this.holidayDays = [...this.closures.keys()].sort((a, b) => a - b);
  }

  /** @internal The local date (days since 1970-01-01) of instant `t`. */
  dayOf(t: number): number {
    return Math.floor(this.timeline.toWall(t) / DAY_MS);
  }

  /** @internal The compiled local date `day`. */
  day(day: number): CompiledDay {
    let compiled = this.days.get(day);
    if (compiled === undefined) {
      if (this.days.size >= MAX_CACHED_DAYS) this.days.clear();
      compiled = this.compileDay(day);
      this.days.set(day, compiled);
    }
    return compiled;
  }

  /**
   * @internal True when dates [day, day + 7) hold exactly `weekMs` of business time and the date
   * `day + 7` starts exactly 7 × 24 h after `day`: no holiday on them and no offset change nearby.
   */
  canJumpWeek(day: number): boolean {
    const wallStart = day * DAY_MS;
    if (this.timeline.hasTransitionBetween(wallStart - 2 * DAY_MS, wallStart + 9 * DAY_MS)) return false;
    let lo = 0;
    let hi = this.holidayDays.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.holidayDays[mid] < day) lo = mid + 1;
      else hi = mid;
    }
    return lo >= this.holidayDays.length || this.holidayDays[lo] >= day + 7;
  }

  private compileDay(day: number): CompiledDay {
    const wallStart = day * DAY_MS;
    const closed = this.closures.get(day);
    const open = closed === undefined ? this.weekdayOpen[weekdayIndexOf(day)] : subtractPairs(this.weekdayOpen[weekdayIndexOf(day)], closed);
    const intervals: number[] = [];
    for (const [from, to] of open) {
      for (const piece of this.timeline.wallToUtc(wallStart + from * MINUTE_MS, wallStart + to * MINUTE_MS)) {
        if (intervals.length > 0 && intervals[intervals.length - 1] === piece.start) intervals[intervals.length - 1] = piece.end;
        else intervals.push(piece.start, piece.end);
      }
    }
    const span: UtcInterval[] = this.timeline.wallToUtc(wallStart, wallStart + DAY_MS);
    if (span.length === 0) {
      // A date the zone skipped entirely (Pacific/Apia, 2011-12-30): an empty span where it would start.
      const at = this.timeline.firstInstantAtOrAfterWall(wallStart);
      return { startUtc: at, endUtc: at, intervals };
    }
    return { startUtc: span[0].start, endUtc: span[span.length - 1].end, intervals };
  }
}

/**
 * Validates a calendar definition (the YAML shape) and compiles it.
 * @throws SlaConfigError naming every invalid field (bad zone, bad time, overlapping ranges, ...)
 */
export const compileCalendar = (definition: unknown): BusinessCalendar => {
  const parsed = calendarSchema.safeParse(definition);
  if (!parsed.success) {
    const name = typeof definition === 'object' && definition !== null && 'name' in definition ? String(definition.name) : '?';
    throw new SlaConfigError(
      parsed.error.issues.map((issue) => ({ path: formatIssuePath(issue.path), message: issue.message })),
      `calendar "${name}"`,
    );
  }
  return new BusinessCalendar(parsed.data);
};

/** The built-in `24x7` calendar: every instant is business time, on UTC. */
export const calendar24x7: BusinessCalendar = compileCalendar({
  name: CALENDAR_24X7,
  time_zone: 'UTC',
  hours: Object.fromEntries(WEEKDAYS.map((weekday) => [weekday, ['00:00-24:00']])),
});

const instantMs = (value: Date, what: string): number => {
  const ms = value instanceof Date ? value.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new RangeError(`${what} must be a valid Date`);
  return ms;
};

const noBusinessTime = (calendar: BusinessCalendar, fromMs: number): SlaCalendarError =>
  new SlaCalendarError(
    `calendar "${calendar.name}" has no business time within ${MAX_SEARCH_DAYS} days after ${new Date(fromMs).toISOString()}`,
  );

/**
 * The earliest instant at which `ms` milliseconds of business time have passed since `startMs`
 * (exact variant of `addBusinessMinutes`, on epoch milliseconds). `ms` must be a finite number >= 0;
 * 0 returns `startMs` itself.
 */
export const addBusinessMs = (calendar: BusinessCalendar, startMs: number, ms: number): number => {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`business time to add must be a finite number >= 0, got ${ms}`);
  if (!Number.isFinite(startMs)) throw new RangeError('start must be a valid instant');
  if (ms === 0) return startMs;
  let remaining = ms;
  let day = calendar.dayOf(startMs);
  let t = startMs;
  let atDayStart = t === calendar.day(day).startUtc;
  for (let walked = 0; walked <= MAX_SEARCH_DAYS; ) {
    if (atDayStart && remaining > calendar.weekMs && calendar.canJumpWeek(day)) {
      remaining -= calendar.weekMs;
      t += 7 * DAY_MS;
      day += 7;
      walked += 7;
      continue;
    }
    const intervals = calendar.day(day).intervals;
    for (let i = 0; i < intervals.length; i += 2) {
      const end = intervals[i + 1];
      if (end <= t) continue;
      const from = Math.max(intervals[i], t);
      if (remaining <= end - from) return from + remaining;
      remaining -= end - from;
    }
    day += 1;
    walked += 1;
    t = calendar.day(day).startUtc;
    atDayStart = true;
  }
  throw noBusinessTime(calendar, startMs);
};

/**
 * Business milliseconds in [fromMs, toMs) (exact variant of `businessMinutesBetween`); negative when
 * `toMs < fromMs`.
 */
export const businessMsBetween = (calendar: BusinessCalendar, fromMs: number, toMs: number): number => {
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) throw new RangeError('instants must be valid');
  if (toMs < fromMs) return -businessMsBetween(calendar, toMs, fromMs);
  let total = 0;
  let day = calendar.dayOf(fromMs);
  let t = fromMs;
  let atDayStart = t === calendar.day(day).startUtc;
  // Bounded by the number of dates between the two instants; no search limit needed.
  for (;;) {
    if (t >= toMs) return total;
    if (atDayStart && t + 7 * DAY_MS <= toMs && calendar.canJumpWeek(day)) {
      total += calendar.weekMs;
      t += 7 * DAY_MS;
      day += 7;
      continue;
    }
    const compiled = calendar.day(day);
    const intervals = compiled.intervals;
    for (let i = 0; i < intervals.length; i += 2) {
      const from = Math.max(intervals[i], t);
      const to = Math.min(intervals[i + 1], toMs);
      if (to > from) total += to - from;
    }
    if (compiled.endUtc >= toMs) return total;
    day += 1;
    t = calendar.day(day).startUtc;
    atDayStart = true;
  }
};

/**
 * The earliest instant at which `minutes` business minutes have passed since `start`: the due time of a
 * target of `minutes` started at `start`. Fractional minutes are allowed (rounded to the millisecond).
 * A result at a closing time is that closing time (17:00), never the next opening.
 * @throws RangeError for a negative, NaN or infinite `minutes` or an invalid `start`
 * @throws SlaCalendarError when the calendar has no business time within a century
 */
export const addBusinessMinutes = (calendar: BusinessCalendar, start: Date, minutes: number): Date => {
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError(`minutes must be a finite number >= 0, got ${minutes}`);
  return new Date(addBusinessMs(calendar, instantMs(start, 'start'), Math.round(minutes * MINUTE_MS)));
};

/**
 * Business minutes in [a, b): the inverse of `addBusinessMinutes` (`businessMinutesBetween(c, s,
 * addBusinessMinutes(c, s, m)) === m`). Negative when `b` is before `a`; fractional when the instants
 * are not on whole minutes.
 */
export const businessMinutesBetween = (calendar: BusinessCalendar, a: Date, b: Date): number =>
  businessMsBetween(calendar, instantMs(a, 'a'), instantMs(b, 'b')) / MINUTE_MS;

/** True when `at` is business time on `calendar` (opening instants are, closing instants are not). */
export const isBusinessTime = (calendar: BusinessCalendar, at: Date): boolean => {
  const t = instantMs(at, 'at');
  const intervals = calendar.day(calendar.dayOf(t)).intervals;
  for (let i = 0; i < intervals.length; i += 2) {
    if (t < intervals[i]) return false;
    if (t < intervals[i + 1]) return true;
  }
  return false;
};

/**
 * `at` itself when it is business time, otherwise the next opening instant.
 * @throws SlaCalendarError when there is none within a century
 */
export const nextBusinessTime = (calendar: BusinessCalendar, at: Date): Date => {
  const start = instantMs(at, 'at');
  let day = calendar.dayOf(start);
  let t = start;
  for (let walked = 0; walked <= MAX_SEARCH_DAYS; walked++) {
    const intervals = calendar.day(day).intervals;
    for (let i = 0; i < intervals.length; i += 2) {
      if (intervals[i + 1] > t) return new Date(Math.max(intervals[i], t));
    }
    day += 1;
    t = calendar.day(day).startUtc;
  }
  throw noBusinessTime(calendar, start);
};

/**
 * Business intervals overlapping [from, to), clipped to it: for showing a calendar or debugging a due
 * time. Walks date by date, so keep the range short (weeks, not years).
 */
export const businessIntervals = (calendar: BusinessCalendar, from: Date, to: Date): Array<{ start: Date; end: Date }> => {
  const fromMs = instantMs(from, 'from');
  const toMs = instantMs(to, 'to');
  const result: Array<{ start: Date; end: Date }> = [];
  for (let day = calendar.dayOf(fromMs); toMs > fromMs; day++) {
    const compiled = calendar.day(day);
    for (let i = 0; i < compiled.intervals.length; i += 2) {
      const start = Math.max(compiled.intervals[i], fromMs);
      const end = Math.min(compiled.intervals[i + 1], toMs);
      if (end > start) result.push({ start: new Date(start), end: new Date(end) });
    }
    if (compiled.endUtc >= toMs) break;
  }
  return result;
};
