/**
 * Properties of computeSlaClocks over random timelines (seeded):
 * - with the minute-by-minute reference arithmetic it gives the same clocks as with the calendar's;
 * - the scheduler contract: recomputing at `nextSlaDeadlines().next.at` finds that deadline crossed at
 *   exactly that instant, and walking from deadline to deadline finds every crossing of a late
 *   recomputation, each once, at the same instant (none missed, none twice, none early).
 */
import { describe, expect, it } from 'vitest';
import { compileCalendar } from '../../src/sla/calendar.js';
import type { CalendarDefinition } from '../../src/sla/calendar-schema.js';
import { computeSlaClocks, nextSlaDeadlines, type SlaClockPolicy } from '../../src/sla/compute-clocks.js';
import { naiveCalendar, seededRandom } from './naive-calendar.js';
import { randomTimeline } from './random-timeline.js';

const DAY = 86_400_000;
const weekdays = ['08:00-12:30', '13:15-17:30'];
const definition: CalendarDefinition = {
  name: 'office-berlin',
  time_zone: 'Europe/Berlin',
  hours: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: ['08:00-12:30', '13:15-16:00'], sat: ['22:00-02:00'] },
  holidays: [{ date: '2024-03-29' }, { date: '2024-04-01' }, { date: '2024-05-01' }],
};
const calendar = compileCalendar(definition);
const policy: SlaClockPolicy = {
  targets: { first_response: 240, next_response: 480, resolution: 2400 },
  warnAt: 0.75,
  pauseStatuses: ['pending'],
  autoReplyStopsFirstResponse: false,
};
const from = Date.UTC(2024, 2, 18);
const to = Date.UTC(2024, 3, 10); // spans the spring-forward change and Easter

describe('computeSlaClocks over random timelines', () => {
  it('gives the same clocks with the minute-by-minute reference arithmetic (200 timelines)', () => {
    const naive = naiveCalendar(definition);
    const reference = { add: (start: number, ms: number) => naive.add(start, ms / 60_000), between: (a: number, b: number) => naive.between(a, b) * 60_000 };
    const random = seededRandom(11);
    for (let i = 0; i < 200; i++) {
      const events = randomTimeline({ random, from, to, maxEvents: 6 });
      const now = new Date(events[events.length - 1].at.getTime() + Math.floor(random() * 3 * DAY / 60_000) * 60_000);
      const fast = computeSlaClocks({ policy, calendar, events, now });
      const slow = computeSlaClocks({ policy, calendar, events, now, arithmetic: reference });
      expect(fast).toEqual(slow);
    }
  });

  it('keeps the scheduler contract: each deadline fires once, at its instant, and none is missed (300 timelines)', () => {
    const random = seededRandom(12);
    for (let i = 0; i < 300; i++) {
      const events = randomTimeline({ random, from, to, maxEvents: 8 });
      const horizon = new Date(events[events.length - 1].at.getTime() + 20 * DAY);
      const expected = computeSlaClocks({ policy, calendar, events, now: horizon }).crossings;

      // Walk as a scheduler would: wake at each event and each deadline, record new crossings by key.
      const recorded = new Map<string, number>();
      const wakeups = new Set(events.map((event) => event.at.getTime()));
      let t = events[0].at.getTime();
      for (let steps = 0; steps < 500; steps++) {
        const clocks = computeSlaClocks({ policy, calendar, events, now: new Date(t) });
        for (const crossing of clocks.crossings) {
          const at = crossing.at.getTime();
          expect(at).toBeLessThanOrEqual(t);
          if (!recorded.has(crossing.key)) recorded.set(crossing.key, at);
          else expect(recorded.get(crossing.key)).toBe(at);
        }
        const { next } = nextSlaDeadlines(clocks);
        if (next !== null) {
          expect(next.at.getTime()).toBeGreaterThan(t);
          wakeups.add(next.at.getTime());
        }
        const later = [...wakeups].filter((wakeup) => wakeup > t && wakeup <= horizon.getTime());
        if (later.length === 0) break;
        t = Math.min(...later);
      }
      expect(Object.fromEntries(recorded)).toEqual(Object.fromEntries(expected.map((crossing) => [crossing.key, crossing.at.getTime()])));
    }
  });
});
