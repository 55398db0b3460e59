import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { compileCalendar } from '../../src/sla/calendar.js';
import { computeSlaClocks, nextSlaDeadlines, type SlaClockPolicy, type SlaTimelineEvent } from '../../src/sla/compute-clocks.js';

const BERLIN = 'Europe/Berlin';
const at = (text: string): Date => DateTime.fromISO(text, { zone: BERLIN }).toJSDate();
const show = (date: Date | null): string | null => (date === null ? null : DateTime.fromJSDate(date, { zone: BERLIN }).toFormat("yyyy-MM-dd'T'HH:mm"));

const weekdays = ['09:00-17:00'];
/** Monday to Friday 09:00-17:00 in Berlin. 2024-01-08 is a Monday. */
const office = compileCalendar({ name: 'office', time_zone: BERLIN, hours: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays } });
const policy: SlaClockPolicy = {
  targets: { first_response: 240, next_response: 120, resolution: 2400 },
  warnAt: 0.75,
  pauseStatuses: ['pending', 'on_hold'],
  autoReplyStopsFirstResponse: false,
};

const customer = (time: string): SlaTimelineEvent => ({ type: 'customer_message', at: at(time) });
const reply = (time: string): SlaTimelineEvent => ({ type: 'agent_reply', at: at(time) });
const status = (time: string, from: string | null, to: string): SlaTimelineEvent => ({ type: 'status_changed', at: at(time), from, to });
const clocksAt = (events: SlaTimelineEvent[], now: string, overrides: Partial<SlaClockPolicy> = {}) =>
  computeSlaClocks({ policy: { ...policy, ...overrides }, calendar: office, events, now: at(now) });

describe('computeSlaClocks: first response', () => {
  it('has nothing running before the first customer message', () => {
    const clocks = clocksAt([], '2024-01-08T10:00');
    expect([clocks.firstResponse.state, clocks.nextResponse.state, clocks.resolution.state]).toEqual(['not_started', 'not_started', 'not_started']);
    expect(nextSlaDeadlines(clocks)).toEqual({ next: null, deadlines: [] });
  });

  it('runs from the customer message, with due and warning instants in business time', () => {
    const clocks = clocksAt([customer('2024-01-08T10:00')], '2024-01-08T11:00');
    expect(clocks.firstResponse).toMatchObject({ state: 'running', elapsedBusinessMinutes: 60, remainingBusinessMinutes: 180, breached: false, warnedAt: null });
    expect(show(clocks.firstResponse.warnAt)).toBe('2024-01-08T13:00');
    expect(show(clocks.firstResponse.dueAt)).toBe('2024-01-08T14:00');
    // 5 business days of 8 h; warning at 75% = 30 h: Mon 7 h, Tue 8, Wed 8, then 7 h into Thursday
    expect(show(clocks.resolution.dueAt)).toBe('2024-01-15T10:00');
    expect(show(clocks.resolution.warnAt)).toBe('2024-01-11T16:00');
    expect(clocks.nextResponse).toMatchObject({ state: 'not_started', cycle: 0, dueAt: null });
  });

  it('lists the deadlines a scheduler needs, earliest first', () => {
    const { next, deadlines } = nextSlaDeadlines(clocksAt([customer('2024-01-08T10:00')], '2024-01-08T11:00'));
    expect(deadlines.map((deadline) => [deadline.key, show(deadline.at)])).toEqual([
      ['first_response:0:warning', '2024-01-08T13:00'],
      ['first_response:0:breach', '2024-01-08T14:00'],
      ['resolution:0:warning', '2024-01-11T16:00'],
      ['resolution:0:breach', '2024-01-15T10:00'],
    ]);
    expect(next?.key).toBe('first_response:0:warning');
  });

  it('stops at the first agent reply, keeping the due instant it had and the warning it crossed', () => {
    const clocks = clocksAt([customer('2024-01-08T15:00'), reply('2024-01-09T10:30')], '2024-01-09T12:00');
    expect(clocks.firstResponse).toMatchObject({ state: 'stopped', stopReason: 'reply', elapsedBusinessMinutes: 210, breached: false });
    expect(show(clocks.firstResponse.stoppedAt)).toBe('2024-01-09T10:30');
    expect(show(clocks.firstResponse.dueAt)).toBe('2024-01-09T11:00');
    expect(show(clocks.firstResponse.warnedAt)).toBe('2024-01-09T10:00');
    expect(clocks.crossings.map((crossing) => [crossing.key, show(crossing.at)])).toEqual([['first_response:0:warning', '2024-01-09T10:00']]);
    expect(nextSlaDeadlines(clocks).deadlines.map((deadline) => deadline.clock)).toEqual(['resolution', 'resolution']);
  });

  it('breaches when still running at the due instant (Friday afternoon into Monday)', () => {
    const events = [customer('2024-01-12T16:00')];
    const before = clocksAt(events, '2024-01-15T11:59');
    expect(before.firstResponse.breached).toBe(false);
    expect(show(nextSlaDeadlines(before).next!.at)).toBe('2024-01-15T12:00');
    const due = clocksAt(events, '2024-01-15T12:00');
    expect(due.firstResponse).toMatchObject({ breached: true, remainingBusinessMinutes: 0 });
    expect(due.crossings.map((crossing) => [crossing.key, show(crossing.at)])).toEqual([
      ['first_response:0:warning', '2024-01-15T11:00'],
      ['first_response:0:breach', '2024-01-15T12:00'],
    ]);
    expect(nextSlaDeadlines(due).deadlines.map((deadline) => deadline.key)).toEqual(['resolution:0:warning', 'resolution:0:breach']);
  });

  it('a reply exactly at the due instant is on time', () => {
    const clocks = clocksAt([customer('2024-01-08T09:00'), reply('2024-01-08T13:00')], '2024-01-08T14:00');
    expect(clocks.firstResponse).toMatchObject({ breached: false, elapsedBusinessMinutes: 240 });
    expect(show(clocks.firstResponse.dueAt)).toBe('2024-01-08T13:00');
  });

  it('a reply after closing breaches even though no further business time passed', () => {
    const clocks = clocksAt([customer('2024-01-08T13:00'), reply('2024-01-08T17:30')], '2024-01-08T18:00');
    expect(clocks.firstResponse).toMatchObject({ breached: true, elapsedBusinessMinutes: 240, remainingBusinessMinutes: 0 });
    expect(show(clocks.firstResponse.breachedAt)).toBe('2024-01-08T17:00');
  });

  it('an auto-reply does not stop it by default, and does when the policy says so', () => {
    const events: SlaTimelineEvent[] = [customer('2024-01-08T09:00'), { type: 'auto_reply', at: at('2024-01-08T09:01') }];
    expect(clocksAt(events, '2024-01-08T10:00').firstResponse.state).toBe('running');
    expect(clocksAt(events, '2024-01-08T10:00', { autoReplyStopsFirstResponse: true }).firstResponse).toMatchObject({ state: 'stopped', stopReason: 'auto_reply', elapsedBusinessMinutes: 1 });
  });

  it('resolving without a reply stops it', () => {
    const clocks = clocksAt([customer('2024-01-08T09:00'), { type: 'resolved', at: at('2024-01-08T10:00') }], '2024-01-08T12:00');
    expect(clocks.firstResponse).toMatchObject({ state: 'stopped', stopReason: 'resolved', elapsedBusinessMinutes: 60 });
    expect(clocks.resolution).toMatchObject({ state: 'stopped', stopReason: 'resolved' });
    expect(nextSlaDeadlines(clocks).deadlines).toEqual([]);
  });
});

describe('computeSlaClocks: pause while waiting on the customer', () => {
  const events = [customer('2024-01-08T09:00'), status('2024-01-08T10:00', 'open', 'pending'), status('2024-01-09T09:00', 'pending', 'open')];

  it('a paused clock has no due instant and no deadlines, only what remains', () => {
    const clocks = clocksAt(events, '2024-01-08T12:00');
    expect(clocks.paused).toBe(true);
    expect(clocks.firstResponse).toMatchObject({ state: 'paused', elapsedBusinessMinutes: 60, remainingBusinessMinutes: 180, dueAt: null, warnAt: null });
    expect(nextSlaDeadlines(clocks).deadlines).toEqual([]);
  });

  it('resuming moves the due instants by the paused business time', () => {
    const clocks = clocksAt(events, '2024-01-09T10:00');
    expect(clocks.firstResponse).toMatchObject({ state: 'running', elapsedBusinessMinutes: 120 });
    expect(show(clocks.firstResponse.warnAt)).toBe('2024-01-09T11:00');
    expect(show(clocks.firstResponse.dueAt)).toBe('2024-01-09T12:00'); // was Mon 13:00
    expect(clocks.resolution.elapsedBusinessMinutes).toBe(120);
    expect(show(clocks.resolution.dueAt)).toBe('2024-01-15T16:00'); // was Fri 2024-01-12 17:00: 7 business hours later
  });

  it('moving between two waiting statuses keeps it paused; any other status resumes', () => {
    const moreEvents = [...events.slice(0, 2), status('2024-01-08T11:00', 'pending', 'on_hold'), status('2024-01-08T15:00', 'on_hold', 'open')];
    const clocks = clocksAt(moreEvents, '2024-01-08T16:00');
    expect(clocks.firstResponse).toMatchObject({ state: 'running', elapsedBusinessMinutes: 120 });
    expect(show(clocks.firstResponse.dueAt)).toBe('2024-01-09T10:00');
  });

  it('a ticket already waiting when the customer writes starts paused', () => {
    const clocks = clocksAt([status('2024-01-08T08:00', null, 'pending'), customer('2024-01-08T09:00'), status('2024-01-08T11:00', 'pending', 'open')], '2024-01-08T12:00');
    expect(clocks.firstResponse).toMatchObject({ state: 'running', elapsedBusinessMinutes: 60 });
    expect(show(clocks.firstResponse.startedAt)).toBe('2024-01-08T09:00');
    expect(show(clocks.firstResponse.dueAt)).toBe('2024-01-08T15:00');
  });

  it('a breach before the pause stays, with its instant as due time', () => {
    const clocks = clocksAt([customer('2024-01-08T09:00'), status('2024-01-08T14:00', 'open', 'pending')], '2024-01-08T16:00');
    expect(clocks.firstResponse).toMatchObject({ state: 'paused', breached: true, remainingBusinessMinutes: -60 });
    expect(show(clocks.firstResponse.dueAt)).toBe('2024-01-08T13:00');
  });

  it('pausing exactly at the due instant is not a breach; resuming breaches at once', () => {
    const pausedAtDue = [customer('2024-01-08T09:00'), status('2024-01-08T13:00', 'open', 'pending')];
    expect(clocksAt(pausedAtDue, '2024-01-08T16:00').firstResponse.breached).toBe(false);
    const resumed = clocksAt([...pausedAtDue, status('2024-01-09T10:00', 'pending', 'open')], '2024-01-09T10:00');
    expect(resumed.firstResponse.breached).toBe(true);
    expect(show(resumed.firstResponse.breachedAt)).toBe('2024-01-09T10:00');
  });
});

describe('computeSlaClocks: next response', () => {
  const events = [
    customer('2024-01-08T09:00'),
    reply('2024-01-08T10:00'),
    customer('2024-01-08T16:00'),
    customer('2024-01-08T16:30'), // a follow-up while waiting does not restart the cycle
    reply('2024-01-09T09:45'),
    customer('2024-01-09T14:00'),
  ];

  it('starts a cycle on each customer message after a reply and stops it at the next reply', () => {
    const clocks = clocksAt(events, '2024-01-09T15:00');
    expect(clocks.nextResponseCycles.map((cycle) => [cycle.cycle, cycle.state, show(cycle.startedAt), show(cycle.dueAt), cycle.elapsedBusinessMinutes])).toEqual([
      [1, 'stopped', '2024-01-08T16:00', '2024-01-09T10:00', 105],
      [2, 'running', '2024-01-09T14:00', '2024-01-09T16:00', 60],
    ]);
    expect(clocks.nextResponse.cycle).toBe(2);
    expect(show(clocks.nextResponse.warnAt)).toBe('2024-01-09T15:30');
    expect(clocks.crossings.map((crossing) => [crossing.key, show(crossing.at)])).toEqual([['next_response:1:warning', '2024-01-09T09:30']]);
    expect(nextSlaDeadlines(clocks).next).toMatchObject({ key: 'next_response:2:warning' });
  });

  it('does not start while the first response is still owed', () => {
    const clocks = clocksAt([customer('2024-01-08T09:00'), customer('2024-01-08T09:30')], '2024-01-08T10:00');
    expect(clocks.nextResponseCycles).toEqual([]);
    expect(clocks.firstResponse.elapsedBusinessMinutes).toBe(60);
  });

  it('without a target it still measures, with no due instant and no deadlines', () => {
    const clocks = clocksAt(events, '2024-01-09T15:00', { targets: { ...policy.targets, next_response: null } });
    expect(clocks.nextResponse).toMatchObject({ state: 'running', targetMinutes: null, dueAt: null, warnAt: null, remainingBusinessMinutes: null, elapsedBusinessMinutes: 60 });
    expect(nextSlaDeadlines(clocks).deadlines.every((deadline) => deadline.clock !== 'next_response')).toBe(true);
  });
});

describe('computeSlaClocks: resolution', () => {
  const resolved: SlaTimelineEvent = { type: 'resolved', at: at('2024-01-08T11:00') };
  const reopened: SlaTimelineEvent = { type: 'reopened', at: at('2024-01-10T09:00') };

  it('stops on resolve and continues from the time used on reopen', () => {
    const events = [customer('2024-01-08T09:00'), reply('2024-01-08T10:00'), resolved, reopened, customer('2024-01-10T09:00')];
    const whileResolved = clocksAt(events.slice(0, 3), '2024-01-09T12:00');
    expect(whileResolved.resolved).toBe(true);
    expect(whileResolved.resolution).toMatchObject({ state: 'stopped', elapsedBusinessMinutes: 120, stopReason: 'resolved' });
    expect(show(whileResolved.resolution.dueAt)).toBe('2024-01-12T17:00'); // as it stood when resolved

    const clocks = clocksAt(events, '2024-01-10T10:00');
    expect(clocks.resolution).toMatchObject({ state: 'running', elapsedBusinessMinutes: 180, stoppedAt: null });
    // 2280 minutes left from Wednesday 09:00: Wed, Thu, Fri, Mon (1920) and 6 h on Tuesday
    expect(show(clocks.resolution.dueAt)).toBe('2024-01-16T15:00');
    expect(clocks.nextResponse).toMatchObject({ cycle: 1, state: 'running' });
    expect(clocks.firstResponse).toMatchObject({ state: 'stopped', stopReason: 'reply' });
  });

  it('ignores customer messages while resolved (the lifecycle records reopened)', () => {
    const clocks = clocksAt([customer('2024-01-08T09:00'), reply('2024-01-08T10:00'), resolved, customer('2024-01-09T09:00')], '2024-01-09T12:00');
    expect(clocks.nextResponseCycles).toEqual([]);
    expect(clocks.resolution.state).toBe('stopped');
  });

  it('a breach stays breached across resolve and reopen, and is listed once', () => {
    const events = [customer('2024-01-08T09:00'), reply('2024-01-08T10:00'), { type: 'resolved' as const, at: at('2024-01-16T09:00') }, { type: 'reopened' as const, at: at('2024-01-17T09:00') }];
    const clocks = clocksAt(events, '2024-01-18T09:00');
    expect(clocks.resolution).toMatchObject({ state: 'running', breached: true });
    expect(show(clocks.resolution.breachedAt)).toBe('2024-01-12T17:00');
    expect(clocks.crossings.filter((crossing) => crossing.clock === 'resolution').map((crossing) => crossing.key)).toEqual(['resolution:0:warning', 'resolution:0:breach']);
    expect(nextSlaDeadlines(clocks).deadlines).toEqual([]);
  });
});

describe('computeSlaClocks: timeline handling', () => {
  it('sorts events, ignores events after now, and reports policy changes', () => {
    const events: SlaTimelineEvent[] = [
      reply('2024-01-08T11:00'),
      { type: 'policy_changed', at: at('2024-01-08T09:30'), from: 'standard', to: 'vip' },
      customer('2024-01-08T09:00'),
    ];
    const clocks = clocksAt(events, '2024-01-08T10:00');
    expect(clocks.firstResponse).toMatchObject({ state: 'running', elapsedBusinessMinutes: 60 });
    expect(show(clocks.lastPolicyChangeAt)).toBe('2024-01-08T09:30');
    expect(clocksAt(events, '2024-01-08T12:00').firstResponse).toMatchObject({ state: 'stopped', elapsedBusinessMinutes: 120 });
  });

  it('crossing keys are stable as time goes on', () => {
    const events = [customer('2024-01-08T09:00')];
    const early = clocksAt(events, '2024-01-08T12:30').crossings.map((crossing) => crossing.key);
    const later = clocksAt(events, '2024-01-10T12:00').crossings.map((crossing) => crossing.key);
    expect(early).toEqual(['first_response:0:warning']);
    expect(later.slice(0, 2)).toEqual(['first_response:0:warning', 'first_response:0:breach']);
  });

  it('a shorter policy recomputes due instants from the start and can breach at once', () => {
    const events = [customer('2024-01-08T09:00')];
    const clocks = clocksAt(events, '2024-01-08T10:00', { targets: { first_response: 30, next_response: 60, resolution: 480 } });
    expect(clocks.firstResponse.breached).toBe(true);
    expect(show(clocks.firstResponse.breachedAt)).toBe('2024-01-08T09:30');
  });

  it('uses the warning share of the policy', () => {
    const clocks = clocksAt([customer('2024-01-08T09:00')], '2024-01-08T09:10', { warnAt: 0.5 });
    expect(show(clocks.firstResponse.warnAt)).toBe('2024-01-08T11:00');
  });

  it('refuses invalid instants', () => {
    expect(() => clocksAt([{ type: 'customer_message', at: new Date(Number.NaN) }], '2024-01-08T10:00')).toThrow(RangeError);
    expect(() => computeSlaClocks({ policy, calendar: office, events: [], now: new Date(Number.NaN) })).toThrow(RangeError);
  });

  it('runs on real elapsed time across a DST change on a round-the-clock calendar', () => {
    const always = compileCalendar({
      name: 'always-berlin',
      time_zone: BERLIN,
      hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, ['00:00-24:00']])),
    });
    const clocks = computeSlaClocks({
      policy: { ...policy, targets: { first_response: 480, next_response: null, resolution: null } },
      calendar: always,
      events: [customer('2024-03-30T20:00')],
      now: at('2024-03-30T21:00'),
    });
    // 8 real hours after Saturday 20:00 CET is Sunday 05:00 CEST: the clock skipped 02:00-03:00
    expect(show(clocks.firstResponse.dueAt)).toBe('2024-03-31T05:00');
    expect(show(clocks.firstResponse.warnAt)).toBe('2024-03-31T03:00');
  });
});
