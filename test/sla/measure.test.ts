import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { compileCalendar } from '../../src/sla/calendar.js';
import { computeSlaClocks, type SlaClockPolicy } from '../../src/sla/compute-clocks.js';
import { groupResponseTimes, percentile, responseTimeSample, summarizeDistribution, summarizeResponseTimes, type ResponseTimeSample } from '../../src/sla/measure.js';

describe('percentile and distribution', () => {
  it.each([
    { values: [1], p: 0.9, expected: 1 },
    { values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], p: 0.9, expected: 9 },
    { values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], p: 0.9, expected: 10 },
    { values: [5, 10], p: 0.5, expected: 5 },
    { values: [], p: 0.9, expected: null },
  ])('nearest-rank p$p of $values.length values', ({ values, p, expected }) => {
    expect(percentile(values, p)).toBe(expected);
  });

  it('summarizes in any input order', () => {
    expect(summarizeDistribution([30, 10, 20, 40])).toEqual({ average: 25, median: 25, p90: 40, min: 10, max: 40 });
    expect(summarizeDistribution([3, 1, 2])).toEqual({ average: 2, median: 2, p90: 3, min: 1, max: 3 });
    expect(summarizeDistribution([])).toEqual({ average: null, median: null, p90: null, min: null, max: null });
  });
});

describe('summarizeResponseTimes', () => {
  const samples: Array<ResponseTimeSample & { queue: string | null }> = [
    { queue: 'billing', businessMinutes: 60, wallMinutes: 60, breached: false },
    { queue: 'billing', businessMinutes: 300, wallMinutes: 1200, breached: true },
    { queue: 'support', businessMinutes: 30, wallMinutes: 30, breached: false },
    { queue: 'support', businessMinutes: 90, wallMinutes: 90, breached: null },
    { queue: null, businessMinutes: 10, wallMinutes: 10, breached: false },
  ];

  it('counts, averages, share within SLA and breaches', () => {
    expect(summarizeResponseTimes(samples)).toEqual({
      count: 5,
      business: { average: 98, median: 60, p90: 300, min: 10, max: 300 },
      wall: { average: 278, median: 60, p90: 1200, min: 10, max: 1200 },
      withTarget: 4,
      withinSla: 0.75,
      breaches: 1,
    });
  });

  it('is empty-safe', () => {
    expect(summarizeResponseTimes([])).toMatchObject({ count: 0, withinSla: null, breaches: 0, business: { average: null } });
  });

  it('groups by key, sorted, with null keys as (none)', () => {
    const groups = groupResponseTimes(samples, (sample) => sample.queue);
    expect(groups.map((group) => [group.key, group.summary.count, group.summary.business.average, group.summary.withinSla])).toEqual([
      ['(none)', 1, 10, 1],
      ['billing', 2, 180, 0.5],
      ['support', 2, 60, 1],
    ]);
  });
});

describe('responseTimeSample from computed clocks', () => {
  const zone = 'Europe/Berlin';
  const at = (text: string) => DateTime.fromISO(text, { zone }).toJSDate();
  const days = ['09:00-17:00'];
  const calendar = compileCalendar({ name: 'office', time_zone: zone, hours: { mon: days, tue: days, wed: days, thu: days, fri: days } });
  const policy: SlaClockPolicy = { targets: { first_response: 240, next_response: null, resolution: null }, warnAt: 0.75, pauseStatuses: ['pending'], autoReplyStopsFirstResponse: false };

  it('measures business and wall-clock minutes of a reply (Friday 16:00 to Monday 10:00)', () => {
    const clocks = computeSlaClocks({
      policy,
      calendar,
      events: [{ type: 'customer_message', at: at('2024-01-12T16:00') }, { type: 'agent_reply', at: at('2024-01-15T10:00') }],
      now: at('2024-01-15T12:00'),
    });
    expect(responseTimeSample(clocks.firstResponse)).toEqual({ businessMinutes: 120, wallMinutes: 66 * 60, breached: false });
  });

  it('has no sample for a running clock or one stopped by resolving', () => {
    const running = computeSlaClocks({ policy, calendar, events: [{ type: 'customer_message', at: at('2024-01-12T16:00') }], now: at('2024-01-15T12:00') });
    expect(responseTimeSample(running.firstResponse)).toBeNull();
    const resolved = computeSlaClocks({
      policy,
      calendar,
      events: [{ type: 'customer_message', at: at('2024-01-12T16:00') }, { type: 'resolved', at: at('2024-01-15T10:00') }],
      now: at('2024-01-15T12:00'),
    });
    expect(responseTimeSample(resolved.firstResponse)).toBeNull();
  });
});
