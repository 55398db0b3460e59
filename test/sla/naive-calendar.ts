/**
 * A deliberately naive reference implementation of the calendar definition, used as the oracle in
 * tests and as the baseline in bench/sla.ts. It shares no code with src/sla/calendar.ts beyond the
 * definition's parsers: for every whole minute it reads the local wall clock (offset from luxon) and
 * checks the definition directly — weekday ranges, the previous weekday's overnight ranges, the date's
 * holiday closures. Adding and measuring step one minute at a time, so all instants passed in must be
 * on whole minutes (which they are for every zone's modern transitions).
 */
import { IANAZone } from 'luxon';
import { WEEKDAYS, parseClockTime, parseHoursRange, parseIsoDate, type CalendarDefinition } from '../../src/sla/calendar-schema.js';

const MINUTE = 60_000;
const QUARTER = 15 * MINUTE;

export type NaiveCalendar = {
  isBusinessTime: (t: number) => boolean;
  add: (start: number, minutes: number) => number;
  between: (a: number, b: number) => number;
  next: (t: number) => number;
};

export const naiveCalendar = (definition: CalendarDefinition): NaiveCalendar => {
  const zone = IANAZone.create(definition.time_zone);
  // Offsets change only on quarter hours in every zone used here, so one lookup per quarter is exact.
  const offsets = new Map<number, number>();
  const offsetMs = (t: number): number => {
    const quarter = Math.floor(t / QUARTER);
    let offset = offsets.get(quarter);
    if (offset === undefined) {
      offset = Math.round(zone.offset(quarter * QUARTER) * MINUTE);
      offsets.set(quarter, offset);
    }
    return offset;
  };
  const ranges = WEEKDAYS.map((weekday) => (definition.hours[weekday] ?? []).map((text) => parseHoursRange(text)!));
  const closures = new Map<number, Array<[number, number]>>();
  for (const holiday of definition.holidays ?? []) {
    const day = parseIsoDate(holiday.date)!;
    closures.set(day, [...(closures.get(day) ?? []), [parseClockTime(holiday.from ?? '00:00')!, parseClockTime(holiday.to ?? '24:00', true)!]]);
  }

  const isBusinessTime = (t: number): boolean => {
    const wall = new Date(t + offsetMs(t));
    const day = Math.floor(wall.getTime() / 86_400_000);
    const minute = wall.getUTCHours() * 60 + wall.getUTCMinutes() + wall.getUTCSeconds() / 60 + wall.getUTCMilliseconds() / 60_000;
    for (const [from, to] of closures.get(day) ?? []) if (minute >= from && minute < to) return false;
    const weekday = (wall.getUTCDay() + 6) % 7; // Monday = 0
    if (ranges[weekday].some((range) => minute >= range.from && minute < Math.min(range.to, 1440))) return true;
    return ranges[(weekday + 6) % 7].some((range) => range.to > 1440 && minute < range.to - 1440);
  };

  return {
    isBusinessTime,
    add: (start, minutes) => {
      let t = start;
      for (let counted = 0; counted < minutes; t += MINUTE) if (isBusinessTime(t)) counted++;
      return t;
    },
    between: (a, b) => {
      let counted = 0;
      for (let t = a; t < b; t += MINUTE) if (isBusinessTime(t)) counted++;
      return counted;
    },
    next: (start) => {
      let t = start;
      while (!isBusinessTime(t)) t += MINUTE;
      return t;
    },
  };
};

/** mulberry32: a small seeded PRNG, so property tests are reproducible. */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
};
