/**
 * Property-style checks of the calendar arithmetic against the minute-by-minute reference in
 * naive-calendar.ts, over instants drawn by a seeded PRNG (so failures reproduce). Half the instants fall
 * within three days of a DST change, where mistakes would hide.
 */
import { describe, expect, it } from 'vitest';
import { addBusinessMinutes, businessMinutesBetween, compileCalendar, isBusinessTime, nextBusinessTime } from '../../src/sla/calendar.js';
import type { CalendarDefinition } from '../../src/sla/calendar-schema.js';
import { naiveCalendar, seededRandom } from './naive-calendar.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
const monToFri = (ranges: string[]) => ({ mon: ranges, tue: ranges, wed: ranges, thu: ranges, fri: ranges });

const definitions: Array<{ definition: CalendarDefinition; dstChanges: string[] }> = [
  {
    definition: {
      name: 'berlin-office',
      time_zone: 'Europe/Berlin',
      hours: monToFri(['09:00-12:30', '13:30-17:00']),
      holidays: [{ date: '2024-03-29' }, { date: '2024-04-01' }, { date: '2024-10-28', from: '12:00' }, { date: '2024-12-24', to: '10:00' }],
    },
    dstChanges: ['2024-03-31T01:00:00Z', '2024-10-27T01:00:00Z'],
  },
  {
    definition: {
      name: 'new-york-long-days',
      time_zone: 'America/New_York',
      hours: { ...monToFri(['00:00-06:00', '09:00-17:00']), sat: ['00:00-06:00', '09:00-17:00'], sun: ['00:00-06:00', '09:00-17:00'] },
      holidays: [{ date: '2024-11-04' }],
    },
    dstChanges: ['2024-03-10T07:00:00Z', '2024-11-03T06:00:00Z'],
  },
  {
    definition: {
      name: 'berlin-night-desk',
      time_zone: 'Europe/Berlin',
      hours: { ...monToFri(['22:00-06:00']), sat: ['10:00-14:00'], sun: ['02:30-04:00'] },
      holidays: [{ date: '2024-03-30' }, { date: '2024-10-26', from: '23:00' }],
    },
    dstChanges: ['2024-03-31T01:00:00Z', '2024-10-27T01:00:00Z'],
  },
  {
    definition: {
      name: 'new-york-weekend-nights',
      time_zone: 'America/New_York',
      hours: { fri: ['20:00-08:00'], sat: ['20:00-08:00'], sun: ['23:30-01:30'] },
    },
    dstChanges: ['2024-03-10T07:00:00Z', '2024-11-03T06:00:00Z'],
  },
];

describe.each(definitions)('$definition.name against the minute-by-minute reference', ({ definition, dstChanges }) => {
  const calendar = compileCalendar(definition);
  const naive = naiveCalendar(definition);
  const yearStart = Date.UTC(2024, 0, 1);
  /** A whole-minute instant in 2024, half of them within three days of a DST change. */
  const instant = (random: () => number): number => {
    if (random() < 0.5) {
      const change = Date.parse(dstChanges[Math.floor(random() * dstChanges.length)]);
      return change + Math.floor((random() * 6 - 3) * DAY / MINUTE) * MINUTE;
    }
    return yearStart + Math.floor((random() * 360 * DAY) / MINUTE) * MINUTE;
  };

  it('isBusinessTime agrees on 3000 instants (with seconds)', () => {
    const random = seededRandom(1);
    for (let i = 0; i < 3000; i++) {
      const t = instant(random) + Math.floor(random() * MINUTE);
      expect(isBusinessTime(calendar, new Date(t)), new Date(t).toISOString()).toBe(naive.isBusinessTime(t));
    }
  });

  it('nextBusinessTime agrees on 300 instants', () => {
    const random = seededRandom(2);
    for (let i = 0; i < 300; i++) {
      const t = instant(random);
      expect(nextBusinessTime(calendar, new Date(t)).getTime(), new Date(t).toISOString()).toBe(naive.next(t));
    }
  });

  it('addBusinessMinutes agrees on 150 starts and targets up to 1500 minutes', () => {
    const random = seededRandom(3);
    for (let i = 0; i < 150; i++) {
      const start = instant(random);
      const minutes = Math.floor(random() * 1500);
      expect(addBusinessMinutes(calendar, new Date(start), minutes).getTime(), `${new Date(start).toISOString()} + ${minutes}`).toBe(naive.add(start, minutes));
    }
  });

  it('businessMinutesBetween agrees on 150 pairs up to 10 days apart, in both orders', () => {
    const random = seededRandom(4);
    for (let i = 0; i < 150; i++) {
      const a = instant(random);
      const b = a + Math.floor((random() * 10 * DAY) / MINUTE) * MINUTE;
      const expected = naive.between(a, b);
      expect(businessMinutesBetween(calendar, new Date(a), new Date(b)), `${new Date(a).toISOString()} → ${new Date(b).toISOString()}`).toBe(expected);
      expect(businessMinutesBetween(calendar, new Date(b), new Date(a))).toBe(-expected);
    }
  });

  it('businessMinutesBetween inverts addBusinessMinutes on 2000 starts, targets up to 200,000 minutes', () => {
    const random = seededRandom(5);
    for (let i = 0; i < 2000; i++) {
      const start = new Date(instant(random) + Math.floor(random() * MINUTE));
      const minutes = Math.floor(random() * (random() < 0.5 ? 3000 : 200_000));
      const due = addBusinessMinutes(calendar, start, minutes);
      expect(businessMinutesBetween(calendar, start, due), `${start.toISOString()} + ${minutes}`).toBe(minutes);
    }
  });

  it('addBusinessMinutes(start, between(start, end)) is the earliest instant with that much business time', () => {
    const random = seededRandom(6);
    for (let i = 0; i < 1000; i++) {
      const start = instant(random);
      const end = start + Math.floor(random() * 60 * DAY);
      const between = businessMinutesBetween(calendar, new Date(start), new Date(end));
      const back = addBusinessMinutes(calendar, new Date(start), between).getTime();
      expect(back).toBeLessThanOrEqual(end);
      expect(businessMinutesBetween(calendar, new Date(back), new Date(end))).toBe(0);
      if (between > 0) expect(isBusinessTime(calendar, new Date(back - 1))).toBe(true);
    }
  });
});
