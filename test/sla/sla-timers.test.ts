/**
 * SLA clocks in the product: real tickets through intake, the ticket hook, the timer use case the
 * `sla-timer` job runs, the manual clock. Calendar: Berlin office, Mon-Fri 09:00-17:00 (CET = UTC+1
 * in November). Policy `standard`: first response 4h, next response 8h, resolution 3d; warning at 75%.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { messages } from '../../src/db/schema/index.js';
import { eq } from 'drizzle-orm';
import {
  agentReply, closeSlaHarness, createSlaHarness, crossingsOf, eventsOf, fireTimer, iso, newTicket, OFFICE_SLA_YAML, patchTicket, slaRow, type SlaHarness,
} from './sla-harness.js';

let h: SlaHarness | undefined;
afterEach(async () => { await closeSlaHarness(h); h = undefined; });

// Monday 2026-11-23 16:00 Berlin: one business hour left today.
const MONDAY_1600 = '2026-11-23T15:00:00.000Z';

describe('SLA timers on a business-hours calendar', () => {
  it('sets the due times when a ticket arrives: warning at 75%, breach at the target, in business time', async () => {
    h = await createSlaHarness({ slaYaml: OFFICE_SLA_YAML, now: MONDAY_1600 });
    const id = await newTicket(h);
    const row = slaRow(h, id)!;
    expect(row.policy).toBe('standard');
    expect(row.policyReason).toBe('default');
    // 4h: Mon 16:00-17:00, then Tue 09:00-12:00 → Tue 12:00 Berlin = 11:00Z; 3h → Tue 11:00 Berlin.
    expect(iso(row.firstResponseDueAt)).toBe('2026-11-24T11:00:00.000Z');
    expect(iso(row.firstResponseWarnAt)).toBe('2026-11-24T10:00:00.000Z');
    // 3d = 24 business hours: Mon 1h, Tue 8h, Wed 8h, Thu 7h → Thu 16:00 Berlin.
    expect(iso(row.resolutionDueAt)).toBe('2026-11-26T15:00:00.000Z');
    expect(row.state).toBe('on_track');
    expect(iso(row.timerAt)).toBe('2026-11-24T10:00:00.000Z');
    expect(row.timerKey).toBe('first_response:0:warning');
    expect(await h.services.queue.counts((await import('../../src/sla/sla-jobs.js')).slaTimerJob)).toMatchObject({ delayed: 1 });

    // the decision trace of the message records the policy choice
    const stored = h.services.db.select({ decision: messages.decision }).from(messages).where(eq(messages.ticketId, id)).get()!;
    const trace = (stored.decision as { trace: { sla: { chosen: string; reason: string }; summary: string[] } }).trace;
    expect(trace.sla).toMatchObject({ chosen: 'standard', reason: 'default' });
    expect(trace.summary.some((line) => line.includes('SLA policy "standard"'))).toBe(true);

    // shown on the ticket, and on its own route
    const ticket = (await h.app.inject({ method: 'GET', url: `/api/tickets/${id}`, headers: h.auth })).json();
    expect(ticket.sla).toMatchObject({ policy: 'standard', state: 'on_track', timer: { at: '2026-11-24T10:00:00.000Z', key: 'first_response:0:warning' } });
    const sla = await h.app.inject({ method: 'GET', url: `/api/tickets/${id}/sla`, headers: h.auth });
    expect(sla.statusCode, sla.body).toBe(200);
    expect(sla.json().clocks.firstResponse).toMatchObject({ state: 'running', dueAt: '2026-11-24T11:00:00.000Z', warnAt: '2026-11-24T10:00:00.000Z', targetMinutes: 240 });
    expect((await h.app.inject({ method: 'GET', url: '/api/tickets/999/sla', headers: h.auth })).statusCode).toBe(404);
  });

  it('records the warning at 75% and the breach at the due instant, each exactly once however often the timer fires', async () => {
    h = await createSlaHarness({ slaYaml: OFFICE_SLA_YAML, now: MONDAY_1600 });
    const id = await newTicket(h);

    // A timer that fires a millisecond early records nothing and sets itself again for the same instant.
    h.clock.set('2026-11-24T09:59:59.999Z');
    const early = await fireTimer(h, id);
    expect(early.crossings).toEqual([]);
    expect(early.timer).toMatchObject({ key: 'first_response:0:warning', delayMs: 1 });

    h.clock.set('2026-11-24T10:00:00.000Z');
    const generation = slaRow(h, id)!.timerGeneration;
    const warned = await fireTimer(h, id, generation);
    expect(warned.crossings.map((c) => c.key)).toEqual(['first_response:0:warning']);
    expect(slaRow(h, id)!.state).toBe('warning');
    // the same job again (a redelivery): stale, nothing recorded
    expect((await fireTimer(h, id, generation)).status).toBe('stale-timer');
    // the current timer fired early by the breach's standards: nothing new
    expect((await fireTimer(h, id)).crossings).toEqual([]);

    h.clock.set('2026-11-24T11:00:00.000Z');
    const breached = await fireTimer(h, id);
    expect(breached.crossings.map((c) => c.key)).toEqual(['first_response:0:breach']);
    await fireTimer(h, id);
    await fireTimer(h, id, generation);
    await Promise.all([fireTimer(h, id), fireTimer(h, id), fireTimer(h, id)]);

    expect(eventsOf(h, id, 'sla_warning')).toHaveLength(1);
    expect(eventsOf(h, id, 'sla_breach')).toHaveLength(1);
    const [warning] = eventsOf(h, id, 'sla_warning');
    expect(warning).toMatchObject({ actor: 'sla', data: { clock: 'first_response', policy: 'standard', key: 'first_response:0:warning', dueAt: '2026-11-24T10:00:00.000Z' } });
    expect(iso(warning.at)).toBe('2026-11-24T10:00:00.000Z');
    expect(crossingsOf(h, id).map((c) => [c.key, iso(c.at)])).toEqual([
      ['first_response:0:warning', '2026-11-24T10:00:00.000Z'],
      ['first_response:0:breach', '2026-11-24T11:00:00.000Z'],
    ]);
    const row = slaRow(h, id)!;
    expect(row.state).toBe('breached');
    expect(row.firstResponseBreached).toBe(true);
    // next: the resolution warning (75% of 24h = 18h: Thu 10:00 Berlin)
    expect(row.timerKey).toBe('resolution:0:warning');
    expect(iso(row.timerAt)).toBe('2026-11-26T09:00:00.000Z');
  });

  it('an agent reply stops first response: the old timer is stale and no breach is recorded', async () => {
    h = await createSlaHarness({ slaYaml: OFFICE_SLA_YAML, now: MONDAY_1600 });
    const id = await newTicket(h);
    const before = slaRow(h, id)!;

    h.clock.set('2026-11-24T09:30:00.000Z'); // Tue 10:30 Berlin: 2.5 business hours used
    await agentReply(h, id);
    const row = slaRow(h, id)!;
    expect(row.firstResponseState).toBe('stopped');
    expect(row.firstResponseStopReason).toBe('reply');
    expect(row.firstResponseBusinessMinutes).toBe(150);
    expect(row.firstResponseBreached).toBe(false);
    expect(row.state).toBe('paused'); // the reply made the ticket pending: waiting on the customer
    expect(row.timerAt).toBeNull();

    // The timer queued before the reply fires at the old warning and due instants: nothing happens.
    for (const at of ['2026-11-24T10:00:00.000Z', '2026-11-24T11:00:00.000Z', '2026-11-30T12:00:00.000Z']) {
      h.clock.set(at);
      expect((await fireTimer(h, id, before.timerGeneration)).status).toBe('stale-timer');
      expect((await fireTimer(h, id)).crossings).toEqual([]);
    }
    expect(crossingsOf(h, id)).toEqual([]);
    expect(eventsOf(h, id).filter((e) => e.type.startsWith('sla_'))).toEqual([]);
  });

  it('pending pauses the clocks and moves the due time by the paused business time', async () => {
    h = await createSlaHarness({ slaYaml: OFFICE_SLA_YAML, now: MONDAY_1600 });
    const id = await newTicket(h);
    h.clock.set('2026-11-24T08:30:00.000Z'); // Tue 09:30 Berlin: 1.5h used
    await patchTicket(h, id, { status: 'pending' });
    let row = slaRow(h, id)!;
    expect(row.state).toBe('paused');
    expect(row.firstResponseState).toBe('paused');
    expect(row.timerAt).toBeNull();

    // A timer that fires while paused records nothing, even at the old due instant.
    h.clock.set('2026-11-24T11:00:00.000Z');
    expect((await fireTimer(h, id)).crossings).toEqual([]);

    h.clock.set('2026-11-24T12:30:00.000Z'); // Tue 13:30 Berlin: resume with 2.5h left
    await patchTicket(h, id, { status: 'open' });
    row = slaRow(h, id)!;
    expect(row.firstResponseState).toBe('running');
    expect(iso(row.firstResponseDueAt)).toBe('2026-11-24T15:00:00.000Z'); // Tue 16:00 Berlin
    expect(iso(row.firstResponseWarnAt)).toBe('2026-11-24T14:00:00.000Z'); // 3h used at Tue 15:00 Berlin
    expect(row.timerKey).toBe('first_response:0:warning');

    h.clock.set('2026-11-24T15:00:00.000Z');
    expect((await fireTimer(h, id)).crossings.map((c) => c.key)).toEqual(['first_response:0:warning', 'first_response:0:breach']);
  });

  it('resolving stops every clock; reopening continues resolution from the time already used', async () => {
    h = await createSlaHarness({ slaYaml: OFFICE_SLA_YAML, now: MONDAY_1600 });
    const id = await newTicket(h);
    h.clock.set('2026-11-24T09:00:00.000Z'); // Tue 10:00 Berlin: 2h used
    await patchTicket(h, id, { status: 'resolved' });
    let row = slaRow(h, id)!;
    expect(row.state).toBe('resolved');
    expect(row.resolutionState).toBe('stopped');
    expect(row.firstResponseStopReason).toBe('resolved');
    expect(row.timerAt).toBeNull();
    h.clock.set('2026-11-26T16:00:00.000Z');
    expect((await fireTimer(h, id)).crossings).toEqual([]);

    h.clock.set('2026-11-30T08:00:00.000Z'); // Mon 09:00 Berlin, a week later
    await patchTicket(h, id, { status: 'open' });
    row = slaRow(h, id)!;
    expect(row.resolutionState).toBe('running');
    // 22h of 24h left from Mon 09:00: Mon 8h, Tue 8h, Wed 6h → Wed 15:00 Berlin
    expect(iso(row.resolutionDueAt)).toBe('2026-12-02T14:00:00.000Z');
    expect(row.state).toBe('on_track');
    // warning at 18h: 16h left after resuming → Mon 8h, Tue 8h → Tue 17:00 Berlin
    expect(iso(row.resolutionWarnAt)).toBe('2026-12-01T16:00:00.000Z');
    expect(row.timerKey).toBe('resolution:0:warning');
    expect(eventsOf(h, id, 'reopened')).toHaveLength(1);
  });

  it('a customer message on a pending ticket resumes the clocks and starts a next-response cycle', async () => {
    h = await createSlaHarness({ slaYaml: OFFICE_SLA_YAML, now: MONDAY_1600 });
    const id = await newTicket(h, { subject: 'Where is my parcel', messageId: 'first@example.com' });
    h.clock.set('2026-11-24T09:00:00.000Z');
    await agentReply(h, id);
    h.clock.set('2026-11-24T13:00:00.000Z'); // Tue 14:00 Berlin
    const again = await newTicket(h, { subject: 'Re: Where is my parcel', inReplyTo: 'first@example.com' });
    expect(again).toBe(id);
    const row = slaRow(h, id)!;
    expect(row.state).toBe('on_track');
    expect(row.nextResponseCycle).toBe(1);
    expect(row.nextResponseState).toBe('running');
    // 8h from Tue 14:00 Berlin: Tue 3h, Wed 5h → Wed 14:00 Berlin
    expect(iso(row.nextResponseDueAt)).toBe('2026-11-25T13:00:00.000Z');
    expect(row.timerKey).toBe('next_response:1:warning');
  });

  it('a rule\'s sla action wins over matching, and is recorded in the decision trace', async () => {
    h = await createSlaHarness({
      slaYaml: OFFICE_SLA_YAML,
      now: MONDAY_1600,
      rules: {
        '10-vip.yaml': 'rules:\n  - name: vip-subject\n    when:\n      subject: { contains: VIP }\n    then:\n      sla: vip\n',
      },
    });
    const id = await newTicket(h, { subject: 'VIP: cannot log in' });
    const row = slaRow(h, id)!;
    expect(row.policy).toBe('vip');
    expect(row.policyReason).toBe('rule');
    expect(iso(row.firstResponseDueAt)).toBe('2026-11-23T16:00:00.000Z'); // 1h: Mon 17:00 Berlin
    const stored = h.services.db.select({ decision: messages.decision }).from(messages).where(eq(messages.ticketId, id)).get()!;
    expect((stored.decision as { trace: { sla: unknown } }).trace.sla).toMatchObject({ chosen: 'vip', reason: 'rule', ruleChosenPolicy: 'vip' });
    // a priority change does not override a rule's choice
    await patchTicket(h, id, { priority: 'urgent' });
    expect(slaRow(h, id)!.policy).toBe('vip');
  });

  it('without sla.yaml, clocks are measured but nothing is promised', async () => {
    h = await createSlaHarness({ now: MONDAY_1600 });
    const id = await newTicket(h);
    const row = slaRow(h, id)!;
    expect(row).toMatchObject({ policy: 'default', policyReason: 'builtin', calendar: '24x7', state: 'none', firstResponseState: 'running', timerAt: null });
    h.clock.set('2026-11-24T09:00:00.000Z');
    await agentReply(h, id);
    expect(slaRow(h, id)!.firstResponseBusinessMinutes).toBe(18 * 60);
  });
});
