import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import {
  addBusinessMinutes,
  businessIntervals,
  businessMinutesBetween,
  calendar24x7,
  compileCalendar,
  isBusinessTime,
  nextBusinessTime,
  type BusinessCalendar,
} from '../../src/sla/calendar.js';
import { SlaCalendarError, SlaConfigError } from '../../src/sla/errors.js';

const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';

/** An instant from local wall-clock text in `zone`; add an offset (`+01:00`) to pick a repeated hour's pass. */
const local = (zone: string, text: string): Date => {
  const parsed = DateTime.fromISO(text, { zone });
  if (!parsed.isValid) throw new Error(`bad test instant ${text}: ${parsed.invalidExplanation}`);
  return parsed.toJSDate();
};
/** Shows an instant as local ISO text, so failures read in the zone's own time. */
const show = (zone: string, at: Date): string => DateTime.fromJSDate(at, { zone }).toISO()!;

const monToFri = (ranges: string[]) => ({ mon: ranges, tue: ranges, wed: ranges, thu: ranges, fri: ranges });
const everyDay = (ranges: string[]) => ({ ...monToFri(ranges), sat: ranges, sun: ranges });

const berlinPlain = compileCalendar({ name: 'berlin-plain', time_zone: BERLIN, hours: monToFri(['09:00-17:00']) });
const berlinOffice = compileCalendar({
  name: 'berlin-office',
  time_zone: BERLIN,
  hours: monToFri(['09:00-17:00']),
  holidays: [
    { date: '2024-05-01', name: 'Labour Day' },
    { date: '2024-12-24', from: '12:00', name: 'Christmas Eve afternoon' },
    { date: '2024-12-25', name: 'Christmas Day' },
    { date: '2024-12-26', name: 'Boxing Day' },
  ],
});
const splitDay = compileCalendar({ name: 'split-day', time_zone: BERLIN, hours: monToFri(['09:00-12:30', '13:30-17:00']) });
const nightDesk = compileCalendar({ name: 'night-desk', time_zone: BERLIN, hours: monToFri(['22:00-06:00']) });
const nightDeskWithHolidays = compileCalendar({
  name: 'night-desk-holidays',
  time_zone: BERLIN,
  hours: monToFri(['22:00-06:00']),
  holidays: [{ date: '2024-01-20' }, { date: '2024-01-26' }],
});

type Case = { name: string; calendar: BusinessCalendar; zone: string; start: string; minutes: number; due: string };

describe('addBusinessMinutes', () => {
  const cases: Case[] = [
    { name: 'within a day', calendar: berlinOffice, zone: BERLIN, start: '2024-01-08T09:00', minutes: 60, due: '2024-01-08T10:00' },
    { name: 'exactly to closing returns the closing instant', calendar: berlinOffice, zone: BERLIN, start: '2024-01-08T09:00', minutes: 480, due: '2024-01-08T17:00' },
    { name: 'one minute past closing', calendar: berlinOffice, zone: BERLIN, start: '2024-01-08T09:00', minutes: 481, due: '2024-01-09T09:01' },
    { name: 'start before opening', calendar: berlinOffice, zone: BERLIN, start: '2024-01-08T07:00', minutes: 30, due: '2024-01-08T09:30' },
    { name: 'start after closing', calendar: berlinOffice, zone: BERLIN, start: '2024-01-08T18:00', minutes: 30, due: '2024-01-09T09:30' },
    { name: 'start at closing', calendar: berlinOffice, zone: BERLIN, start: '2024-01-08T17:00', minutes: 30, due: '2024-01-09T09:30' },
    { name: 'start on a weekend', calendar: berlinOffice, zone: BERLIN, start: '2024-01-13T12:00', minutes: 30, due: '2024-01-15T09:30' },
    { name: 'over a weekend', calendar: berlinOffice, zone: BERLIN, start: '2024-01-12T16:00', minutes: 120, due: '2024-01-15T10:00' },
    { name: 'start on a holiday', calendar: berlinOffice, zone: BERLIN, start: '2024-12-25T10:00', minutes: 30, due: '2024-12-27T09:30' },
    { name: 'up to a partial holiday', calendar: berlinOffice, zone: BERLIN, start: '2024-12-23T16:00', minutes: 240, due: '2024-12-24T12:00' },
    { name: 'across a partial holiday and two holidays', calendar: berlinOffice, zone: BERLIN, start: '2024-12-23T16:00', minutes: 241, due: '2024-12-27T09:01' },
    { name: 'a one-day holiday midweek', calendar: berlinOffice, zone: BERLIN, start: '2024-04-30T16:00', minutes: 120, due: '2024-05-02T10:00' },
    { name: 'lunch break', calendar: splitDay, zone: BERLIN, start: '2024-01-08T12:00', minutes: 60, due: '2024-01-08T14:00' },
    { name: 'to the start of lunch', calendar: splitDay, zone: BERLIN, start: '2024-01-08T12:00', minutes: 30, due: '2024-01-08T12:30' },
    { name: 'three weeks', calendar: berlinOffice, zone: BERLIN, start: '2024-01-08T09:00', minutes: 3 * 2400, due: '2024-01-26T17:00' },
    { name: 'exactly one week ends Friday at closing', calendar: berlinPlain, zone: BERLIN, start: '2024-01-08T09:00', minutes: 2400, due: '2024-01-12T17:00' },
    { name: 'five weeks across spring forward', calendar: berlinOffice, zone: BERLIN, start: '2024-03-25T09:00', minutes: 5 * 2400, due: '2024-04-26T17:00' },
    { name: 'a weekend with fall back in it', calendar: berlinOffice, zone: BERLIN, start: '2024-10-25T16:00', minutes: 120, due: '2024-10-28T10:00' },
    { name: '52 weeks without holidays', calendar: berlinPlain, zone: BERLIN, start: '2024-01-01T09:00', minutes: 52 * 2400, due: '2024-12-27T17:00' },
    // 52 weeks minus 8 h (May 1) + 5 h (Dec 24 afternoon) + 16 h (Dec 25, 26) = 29 h carried into 2025
    { name: '52 weeks with holidays', calendar: berlinOffice, zone: BERLIN, start: '2024-01-01T09:00', minutes: 52 * 2400, due: '2025-01-02T14:00' },
    { name: 'overnight shift to its end on Saturday', calendar: nightDesk, zone: BERLIN, start: '2024-01-12T21:00', minutes: 480, due: '2024-01-13T06:00' },
    { name: 'overnight shift, then Monday night', calendar: nightDesk, zone: BERLIN, start: '2024-01-12T21:00', minutes: 481, due: '2024-01-15T22:01' },
    { name: 'inside an overnight shift after midnight', calendar: nightDesk, zone: BERLIN, start: '2024-01-10T03:00', minutes: 240, due: '2024-01-10T23:00' },
    { name: '24x7 adds wall-clock time', calendar: calendar24x7, zone: 'UTC', start: '2024-03-30T12:00', minutes: 1440, due: '2024-03-31T12:00' },
    { name: '24x7 a million minutes', calendar: calendar24x7, zone: 'UTC', start: '2024-01-01T00:00', minutes: 1_000_000, due: '2025-11-25T10:40' },
    { name: 'fractional minutes', calendar: berlinOffice, zone: BERLIN, start: '2024-01-08T09:00', minutes: 0.5, due: '2024-01-08T09:00:30' },
  ];
  it.each(cases)('$name', ({ calendar, zone, start, minutes, due }) => {
    expect(show(zone, addBusinessMinutes(calendar, local(zone, start), minutes))).toBe(show(zone, local(zone, due)));
  });

  it.each(cases)('is inverted by businessMinutesBetween: $name', ({ calendar, zone, start, minutes }) => {
    const from = local(zone, start);
    expect(businessMinutesBetween(calendar, from, addBusinessMinutes(calendar, from, minutes))).toBe(minutes);
  });

  it('adding zero returns the start itself, even outside business hours', () => {
    const saturday = local(BERLIN, '2024-01-13T12:00');
    expect(addBusinessMinutes(berlinOffice, saturday, 0).getTime()).toBe(saturday.getTime());
  });

  it.each([-1, -0.001, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s minutes', (minutes) => {
    expect(() => addBusinessMinutes(berlinOffice, local(BERLIN, '2024-01-08T09:00'), minutes)).toThrow(RangeError);
  });

  it('refuses an invalid start', () => {
    expect(() => addBusinessMinutes(berlinOffice, new Date(Number.NaN), 10)).toThrow(RangeError);
  });

  it('gives up with SlaCalendarError when a century holds no business time', () => {
    const holidays: Array<{ date: string }> = [];
    for (let day = DateTime.fromISO('2024-01-01', { zone: 'UTC' }); day.year < 2126; day = day.plus({ weeks: 1 })) {
      holidays.push({ date: day.toISODate()! }); // every Monday
    }
    const closed = compileCalendar({ name: 'mondays-only', time_zone: 'UTC', hours: { mon: ['09:00-10:00'] }, holidays });
    expect(() => addBusinessMinutes(closed, local('UTC', '2024-01-01T00:00'), 1)).toThrow(SlaCalendarError);
    expect(() => nextBusinessTime(closed, local('UTC', '2024-01-01T00:00'))).toThrow(SlaCalendarError);
  });
});

describe('businessMinutesBetween', () => {
  const cases: Array<{ name: string; calendar: BusinessCalendar; zone: string; from: string; to: string; minutes: number }> = [
    { name: 'a whole day from outside hours', calendar: berlinOffice, zone: BERLIN, from: '2024-01-08T08:00', to: '2024-01-08T18:00', minutes: 480 },
    { name: 'over a weekend', calendar: berlinOffice, zone: BERLIN, from: '2024-01-12T12:00', to: '2024-01-15T12:00', minutes: 480 },
    { name: 'the Christmas week', calendar: berlinOffice, zone: BERLIN, from: '2024-12-23T00:00', to: '2024-12-28T00:00', minutes: 480 + 180 + 480 },
    { name: 'within a weekend', calendar: berlinOffice, zone: BERLIN, from: '2024-01-13T00:00', to: '2024-01-14T23:59', minutes: 0 },
    { name: 'the same instant', calendar: berlinOffice, zone: BERLIN, from: '2024-01-08T10:00', to: '2024-01-08T10:00', minutes: 0 },
    { name: 'reversed instants are negative', calendar: berlinOffice, zone: BERLIN, from: '2024-01-15T12:00', to: '2024-01-12T12:00', minutes: -480 },
    { name: 'a year without holidays', calendar: berlinPlain, zone: BERLIN, from: '2024-01-01T00:00', to: '2025-01-01T00:00', minutes: 262 * 480 },
    { name: 'a year with 3 days and 5 hours of holidays', calendar: berlinOffice, zone: BERLIN, from: '2024-01-01T00:00', to: '2025-01-01T00:00', minutes: 262 * 480 - 29 * 60 },
    { name: 'overnight shifts over a weekend', calendar: nightDesk, zone: BERLIN, from: '2024-01-12T00:00', to: '2024-01-15T00:00', minutes: 360 + 480 },
    { name: 'a holiday Saturday cuts Friday night at midnight', calendar: nightDeskWithHolidays, zone: BERLIN, from: '2024-01-19T12:00', to: '2024-01-21T00:00', minutes: 120 },
    { name: 'a holiday Friday closes Thursday night after midnight and Friday night before it', calendar: nightDeskWithHolidays, zone: BERLIN, from: '2024-01-25T12:00', to: '2024-01-27T12:00', minutes: 120 + 360 },
    { name: '24x7 counts a week', calendar: calendar24x7, zone: 'UTC', from: '2024-03-25T00:00', to: '2024-04-01T00:00', minutes: 10_080 },
  ];
  it.each(cases)('$name', ({ calendar, zone, from, to, minutes }) => {
    expect(businessMinutesBetween(calendar, local(zone, from), local(zone, to))).toBe(minutes);
  });
});

/**
 * DST in two zones, both directions. Each calendar is open every day 00:00-06:00 and 09:00-17:00, so the
 * change days (Sundays) are business days and the night range spans the shifted hour.
 *   Europe/Berlin 2024: 03-31 02:00 → 03:00 (CET → CEST), 10-27 03:00 → 02:00 (02:00-03:00 twice)
 *   America/New_York 2024: 03-10 02:00 → 03:00 (EST → EDT), 11-03 02:00 → 01:00 (01:00-02:00 twice)
 */
describe.each([
  { zone: BERLIN, spring: '2024-03-31', fall: '2024-10-27', ordinary: '2024-03-24', firstPass: '+02:00', secondPass: '+01:00', repeated: '02' },
  { zone: NEW_YORK, spring: '2024-03-10', fall: '2024-11-03', ordinary: '2024-03-03', firstPass: '-04:00', secondPass: '-05:00', repeated: '01' },
])('DST changes in $zone', ({ zone, spring, fall, ordinary, firstPass, secondPass, repeated }) => {
  const calendar = compileCalendar({ name: `dst-${zone.replace("/", "-")}`, time_zone: zone, hours: everyDay(['00:00-06:00', '09:00-17:00']) });
  const day = (date: string, time: string) => local(zone, `${date}T${time}`);
  const nextDay = (date: string) => DateTime.fromISO(date).plus({ days: 1 }).toISODate()!;
  const previousDay = (date: string) => DateTime.fromISO(date).minus({ days: 1 }).toISODate()!;

  it('09:00-17:00 is still 8 hours on both change days', () => {
    expect(businessMinutesBetween(calendar, day(spring, '09:00'), day(spring, '17:00'))).toBe(480);
    expect(businessMinutesBetween(calendar, day(fall, '09:00'), day(fall, '17:00'))).toBe(480);
  });

  it('00:00-06:00 is 5 hours on spring-forward day and 7 on fall-back day', () => {
    expect(businessMinutesBetween(calendar, day(ordinary, '00:00'), day(ordinary, '06:00'))).toBe(360);
    expect(businessMinutesBetween(calendar, day(spring, '00:00'), day(spring, '06:00'))).toBe(300);
    expect(businessMinutesBetween(calendar, day(fall, '00:00'), day(fall, '06:00'))).toBe(420);
  });

  it('whole change days hold 13 and 15 hours instead of 14', () => {
    expect(businessMinutesBetween(calendar, day(ordinary, '00:00'), day(nextDay(ordinary), '00:00'))).toBe(840);
    expect(businessMinutesBetween(calendar, day(spring, '00:00'), day(nextDay(spring), '00:00'))).toBe(780);
    expect(businessMinutesBetween(calendar, day(fall, '00:00'), day(nextDay(fall), '00:00'))).toBe(900);
  });

  it('adds across the skipped hour', () => {
    // 5 real hours of night, then 1 hour from 09:00
    expect(show(zone, addBusinessMinutes(calendar, day(previousDay(spring), '17:00'), 360))).toBe(show(zone, day(spring, '10:00')));
    // 2.5 real hours after midnight reads 03:30, the clock having jumped at 02:00
    expect(show(zone, addBusinessMinutes(calendar, day(previousDay(spring), '17:00'), 150))).toBe(show(zone, day(spring, '03:30')));
  });

  it('adds across the repeated hour, landing on the right pass', () => {
    const start = day(previousDay(fall), '17:00');
    const hoursToRepeat = Number(repeated); // midnight to the first pass of the repeated hour
    expect(show(zone, addBusinessMinutes(calendar, start, hoursToRepeat * 60))).toBe(show(zone, local(zone, `${fall}T${repeated}:00${firstPass}`)));
    expect(show(zone, addBusinessMinutes(calendar, start, (hoursToRepeat + 1) * 60))).toBe(show(zone, local(zone, `${fall}T${repeated}:00${secondPass}`)));
    expect(show(zone, addBusinessMinutes(calendar, start, 360))).toBe(show(zone, day(fall, '05:00')));
    expect(show(zone, addBusinessMinutes(calendar, start, 420))).toBe(show(zone, day(fall, '06:00')));
  });

  it('both passes through the repeated hour are business time', () => {
    expect(isBusinessTime(calendar, local(zone, `${fall}T${repeated}:30${firstPass}`))).toBe(true);
    expect(isBusinessTime(calendar, local(zone, `${fall}T${repeated}:30${secondPass}`))).toBe(true);
  });
});

describe('ranges that start inside the shifted hour (Europe/Berlin)', () => {
  const calendar = compileCalendar({ name: 'odd-night', time_zone: BERLIN, hours: { sun: ['02:30-04:00'] } });
  it('is 90 minutes on an ordinary Sunday, 60 on spring-forward day, 120 on fall-back day', () => {
    expect(businessMinutesBetween(calendar, local(BERLIN, '2024-03-24T00:00'), local(BERLIN, '2024-03-25T00:00'))).toBe(90);
    expect(businessMinutesBetween(calendar, local(BERLIN, '2024-03-31T00:00'), local(BERLIN, '2024-04-01T00:00'))).toBe(60);
    expect(businessMinutesBetween(calendar, local(BERLIN, '2024-10-27T00:00'), local(BERLIN, '2024-10-28T00:00'))).toBe(120);
  });
  it('opens when the clock jumps past the skipped start', () => {
    expect(show(BERLIN, nextBusinessTime(calendar, local(BERLIN, '2024-03-31T00:00')))).toBe(show(BERLIN, local(BERLIN, '2024-03-31T03:00')));
  });
  it('reads the repeated hour on each pass', () => {
    expect(isBusinessTime(calendar, local(BERLIN, '2024-10-27T02:15+02:00'))).toBe(false);
    expect(isBusinessTime(calendar, local(BERLIN, '2024-10-27T02:45+02:00'))).toBe(true);
    expect(isBusinessTime(calendar, local(BERLIN, '2024-10-27T02:15+01:00'))).toBe(false);
    expect(isBusinessTime(calendar, local(BERLIN, '2024-10-27T02:45+01:00'))).toBe(true);
    expect(businessIntervals(calendar, local(BERLIN, '2024-10-27T00:00'), local(BERLIN, '2024-10-28T00:00')).map((interval) => [interval.start.toISOString(), interval.end.toISOString()])).toEqual([
      ['2024-10-27T00:30:00.000Z', '2024-10-27T01:00:00.000Z'],
      ['2024-10-27T01:30:00.000Z', '2024-10-27T03:00:00.000Z'],
    ]);
  });
});

describe('overnight shifts across DST (America/New_York, Saturday 22:00-06:00)', () => {
  const calendar = compileCalendar({ name: 'ny-saturday-night', time_zone: NEW_YORK, hours: { sat: ['22:00-06:00'] } });
  it('is 8 hours on an ordinary weekend, 7 in March and 9 in November', () => {
    expect(businessMinutesBetween(calendar, local(NEW_YORK, '2024-03-02T12:00'), local(NEW_YORK, '2024-03-03T12:00'))).toBe(480);
    expect(businessMinutesBetween(calendar, local(NEW_YORK, '2024-03-09T12:00'), local(NEW_YORK, '2024-03-10T12:00'))).toBe(420);
    expect(businessMinutesBetween(calendar, local(NEW_YORK, '2024-11-02T12:00'), local(NEW_YORK, '2024-11-03T12:00'))).toBe(540);
  });
  it('closes at 06:00 local on the change day', () => {
    expect(show(NEW_YORK, addBusinessMinutes(calendar, local(NEW_YORK, '2024-03-09T22:00'), 420))).toBe(show(NEW_YORK, local(NEW_YORK, '2024-03-10T06:00')));
    expect(show(NEW_YORK, addBusinessMinutes(calendar, local(NEW_YORK, '2024-11-02T22:00'), 540))).toBe(show(NEW_YORK, local(NEW_YORK, '2024-11-03T06:00')));
  });
});

describe('24x7 in a zone with DST', () => {
  const always = compileCalendar({ name: 'always-berlin', time_zone: BERLIN, hours: everyDay(['00:00-24:00']) });
  it('has 23- and 25-hour days and still adds real time', () => {
    expect(businessMinutesBetween(always, local(BERLIN, '2024-03-31T00:00'), local(BERLIN, '2024-04-01T00:00'))).toBe(1380);
    expect(businessMinutesBetween(always, local(BERLIN, '2024-10-27T00:00'), local(BERLIN, '2024-10-28T00:00'))).toBe(1500);
    const start = local(BERLIN, '2024-03-30T12:00');
    expect(addBusinessMinutes(always, start, 1440).getTime() - start.getTime()).toBe(86_400_000);
  });
});

describe('isBusinessTime and nextBusinessTime', () => {
  const cases: Array<{ name: string; calendar: BusinessCalendar; at: string; business: boolean; next: string }> = [
    { name: 'opening instant', calendar: berlinOffice, at: '2024-01-08T09:00', business: true, next: '2024-01-08T09:00' },
    { name: 'closing instant', calendar: berlinOffice, at: '2024-01-08T17:00', business: false, next: '2024-01-09T09:00' },
    { name: 'a second before closing', calendar: berlinOffice, at: '2024-01-08T16:59:59', business: true, next: '2024-01-08T16:59:59' },
    { name: 'Friday evening', calendar: berlinOffice, at: '2024-01-12T19:00', business: false, next: '2024-01-15T09:00' },
    { name: 'Christmas', calendar: berlinOffice, at: '2024-12-25T10:00', business: false, next: '2024-12-27T09:00' },
    { name: 'Christmas Eve afternoon', calendar: berlinOffice, at: '2024-12-24T12:00', business: false, next: '2024-12-27T09:00' },
    { name: 'Christmas Eve morning', calendar: berlinOffice, at: '2024-12-24T11:59', business: true, next: '2024-12-24T11:59' },
    { name: 'lunch', calendar: splitDay, at: '2024-01-08T12:45', business: false, next: '2024-01-08T13:30' },
    { name: 'Saturday 05:59 on Friday night', calendar: nightDesk, at: '2024-01-13T05:59', business: true, next: '2024-01-13T05:59' },
    { name: 'Saturday 06:00', calendar: nightDesk, at: '2024-01-13T06:00', business: false, next: '2024-01-15T22:00' },
    { name: 'Monday 02:00 (Sunday has no shift)', calendar: nightDesk, at: '2024-01-15T02:00', business: false, next: '2024-01-15T22:00' },
    { name: 'Tuesday 03:00 on Monday night', calendar: nightDesk, at: '2024-01-16T03:00', business: true, next: '2024-01-16T03:00' },
  ];
  it.each(cases)('$name', ({ calendar, at, business, next }) => {
    expect(isBusinessTime(calendar, local(BERLIN, at))).toBe(business);
    expect(show(BERLIN, nextBusinessTime(calendar, local(BERLIN, at)))).toBe(show(BERLIN, local(BERLIN, next)));
  });
});

describe('calendar validation', () => {
  const base = { name: 'x', time_zone: BERLIN };
  const messages = (definition: unknown): string[] => {
    try {
      compileCalendar(definition);
    } catch (error) {
      expect(error).toBeInstanceOf(SlaConfigError);
      return (error as SlaConfigError).issues.map((issue) => `${issue.path}: ${issue.message}`);
    }
    return [];
  };

  it.each([
    { name: 'overlap on one day', hours: { mon: ['09:00-12:00', '11:00-17:00'] }, expected: 'hours.mon[1]: mon "11:00-17:00" overlaps mon "09:00-12:00"' },
    { name: 'overnight into the next day', hours: { fri: ['22:00-06:00'], sat: ['05:00-09:00'] }, expected: 'hours.sat[0]: sat "05:00-09:00" overlaps fri "22:00-06:00"' },
    { name: 'Sunday night into Monday', hours: { sun: ['20:00-08:00'], mon: ['07:00-09:00'] }, expected: 'hours.mon[0]: mon "07:00-09:00" overlaps sun "20:00-08:00"' },
    { name: 'a range inside another', hours: { tue: ['08:00-18:00', '10:00-11:00'] }, expected: 'hours.tue[1]: tue "10:00-11:00" overlaps tue "08:00-18:00"' },
    { name: 'bad time', hours: { mon: ['9:00-17:00'] }, expected: 'hours.mon[0]: invalid hours "9:00-17:00"' },
    { name: 'minutes out of range', hours: { mon: ['09:60-17:00'] }, expected: 'hours.mon[0]: invalid hours "09:60-17:00"' },
    { name: 'empty range', hours: { mon: ['09:00-09:00'] }, expected: 'hours.mon[0]: invalid hours "09:00-09:00"' },
    { name: '24:00 as a start', hours: { mon: ['24:00-02:00'] }, expected: 'hours.mon[0]: invalid hours "24:00-02:00"' },
    { name: 'unknown weekday', hours: { monday: ['09:00-17:00'], tue: ['09:00-17:00'] }, expected: 'hours: unknown field "monday": hours takes mon, tue' },
    { name: 'no hours at all', hours: { sat: [] }, expected: 'hours: the calendar has no business hours at all' },
  ])('refuses $name', ({ hours, expected }) => {
    expect(messages({ ...base, hours }).join('\n')).toContain(expected);
  });

  it('accepts touching ranges and an overnight range ending at the next opening', () => {
    expect(messages({ ...base, hours: { mon: ['09:00-12:00', '12:00-17:00'], fri: ['22:00-06:00'], sat: ['06:00-10:00'], sun: ['18:00-24:00'] } })).toEqual([]);
  });

  it('refuses an unknown time zone', () => {
    expect(messages({ ...base, time_zone: 'Europe/Atlantis', hours: { mon: ['09:00-17:00'] } })[0]).toMatch(/^time_zone: unknown time zone "Europe\/Atlantis"/);
  });

  it('refuses bad holidays', () => {
    const found = messages({ ...base, hours: { mon: ['09:00-17:00'] }, holidays: [{ date: '2024-02-30' }, { date: '2024-12-24', from: '14:00', to: '12:00' }, { date: '24.12.2024' }] });
    expect(found).toEqual([
      'holidays[0].date: invalid date "2024-02-30": expected "YYYY-MM-DD"',
      `holidays[1].to: a holiday's "to" (12:00) must be after its "from" (14:00)`,
      'holidays[2].date: invalid date "24.12.2024": expected "YYYY-MM-DD"',
    ]);
  });

  it('refuses a day_length in days', () => {
    expect(messages({ ...base, hours: { mon: ['09:00-17:00'] }, day_length: '1d' })[0]).toMatch(/^day_length: day_length must be hours and minutes/);
  });

  it('derives the business-day length from the week', () => {
    expect(berlinOffice.dayLengthMinutes).toBe(480);
    expect(calendar24x7.dayLengthMinutes).toBe(1440);
    expect(compileCalendar({ ...base, hours: { ...monToFri(['09:00-17:00']), fri: ['09:00-13:00'] } }).dayLengthMinutes).toBe(432);
    expect(compileCalendar({ ...base, hours: { mon: ['09:00-17:00'] }, day_length: '7h30m' }).dayLengthMinutes).toBe(450);
  });
});

describe('zones with unusual changes', () => {
  const span = (calendar: BusinessCalendar, zone: string, from: string, to: string) => businessMinutesBetween(calendar, local(zone, from), local(zone, to));

  it('Pacific/Apia skipped 2011-12-30 entirely: that date holds no business time', () => {
    const apia = compileCalendar({ name: 'apia', time_zone: 'Pacific/Apia', hours: everyDay(['09:00-17:00']) });
    expect(span(apia, 'Pacific/Apia', '2011-12-29T00:00', '2012-01-01T00:00')).toBe(960);
    expect(show('Pacific/Apia', addBusinessMinutes(apia, local('Pacific/Apia', '2011-12-29T16:00'), 120))).toBe(show('Pacific/Apia', local('Pacific/Apia', '2011-12-31T10:00')));
  });

  it('Australia/Lord_Howe moves by half an hour: 00:00-06:00 is 5.5 h on 2024-10-06', () => {
    const lordHowe = compileCalendar({ name: 'lord-howe', time_zone: 'Australia/Lord_Howe', hours: everyDay(['00:00-06:00']) });
    expect(span(lordHowe, 'Australia/Lord_Howe', '2024-10-06T00:00', '2024-10-07T00:00')).toBe(330);
    expect(span(lordHowe, 'Australia/Lord_Howe', '2024-04-07T00:00', '2024-04-08T00:00')).toBe(390);
  });

  it('America/Havana changes at midnight: the date starts at 01:00 in March and repeats 00:00-01:00 in November', () => {
    const havana = compileCalendar({ name: 'havana', time_zone: 'America/Havana', hours: everyDay(['00:00-06:00']) });
    expect(span(havana, 'America/Havana', '2024-03-10T01:00', '2024-03-11T00:00')).toBe(300);
    expect(span(havana, 'America/Havana', '2024-11-02T12:00', '2024-11-03T12:00')).toBe(420);
    expect(show('America/Havana', nextBusinessTime(havana, local('America/Havana', '2024-03-09T12:00')))).toBe(show('America/Havana', local('America/Havana', '2024-03-10T01:00')));
  });
});
