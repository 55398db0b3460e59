/**
 * `on: sla.warning` / `on: sla.breach` rules acting on real tickets: priority raised, tags added, the
 * queue moved, a webhook posted (to a real local HTTP server), and the policy re-chosen when an
 * escalation changes the priority — each crossing still recorded once.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tickets } from '../../src/db/schema/index.js';
import {
  closeSlaHarness, createSlaHarness, crossingsOf, eventsOf, fireTimer, newTicket, OFFICE_SLA_YAML, slaRow, waitFor, type SlaHarness,
} from './sla-harness.js';

let h: SlaHarness | undefined;
let server: Server;
let received: Array<{ headers: IncomingMessage['headers']; body: Record<string, unknown> }>;
let hookUrl: string;

beforeEach(async () => {
  received = [];
  server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => { text += chunk; });
    request.on('end', () => {
      received.push({ headers: request.headers, body: JSON.parse(text) });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/escalations`;
});
afterEach(async () => {
  await closeSlaHarness(h);
  h = undefined;
  await new Promise((resolve) => server.close(resolve));
});

const MONDAY_1600 = '2026-11-23T15:00:00.000Z';

const escalationRules = (url: string) => `
rules:
  - name: warning-raises
    on: sla.warning
    then:
      priority: raise
      tags: [sla-at-risk]
  - name: first-response-breach
    on: sla.breach
    when:
      sla.clock: first_response
    then:
      priority: urgent
      queue: escalations
      tags: [sla-breached]
      webhook: ${url}
`;

const ticketRow = (id: number) => h!.services.db.select().from(tickets).where(eq(tickets.id, id)).get()!;

describe('on: sla.* rules', () => {
  it('a warning raises the priority; a breach makes it urgent, moves the queue and posts the webhook once', async () => {
    h = await createSlaHarness({ slaYaml: OFFICE_SLA_YAML, now: MONDAY_1600, rules: { '20-escalation.yaml': escalationRules(hookUrl) } });
    const id = await newTicket(h);
    expect(ticketRow(id).priority).toBe('normal');

    h.clock.set('2026-11-24T10:00:00.000Z');
    await fireTimer(h, id);
    expect(ticketRow(id)).toMatchObject({ priority: 'high', tags: ['sla-at-risk'] });
    const raised = eventsOf(h, id, 'priority_changed');
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ actor: 'sla-rules', data: { from: 'normal', to: 'high' } });
    expect(String(raised[0].data.reason)).toContain('sla.warning first_response:0:warning: rule warning-raises');
    expect(slaRow(h, id)!.policy).toBe('standard'); // high matches no other policy

    h.clock.set('2026-11-24T11:00:00.000Z');
    await fireTimer(h, id);
    expect(ticketRow(id)).toMatchObject({ priority: 'urgent', queue: 'escalations' });
    expect(ticketRow(id).tags).toEqual(expect.arrayContaining(['sla-at-risk', 'sla-breached']));
    await waitFor(() => received.length === 1, 'the webhook POST');
    expect(received[0].headers['x-mailroom-event']).toBe('sla.breach');
    expect(received[0].body).toMatchObject({
      event: 'sla.breach', key: 'first_response:0:breach', clock: 'first_response', policy: 'standard', dueAt: '2026-11-24T11:00:00.000Z',
      ticket: { id, priority: 'urgent', queue: 'escalations' },
    });

    // Urgent matches the `urgent` policy (24x7, 30m / 8h): the ticket changes policy, its clocks are
    // recomputed from the start, and what the new policy has already missed is recorded — but the
    // first-response breach and warning it shares keys with are not recorded again.
    const row = slaRow(h, id)!;
    expect(row.policy).toBe('urgent');
    expect(eventsOf(h, id, 'sla_policy_changed')).toHaveLength(1);
    expect(eventsOf(h, id, 'sla_policy_changed')[0].data).toMatchObject({ from: 'standard', to: 'urgent' });
    const keys = crossingsOf(h, id).map((c) => `${c.key}@${c.policy}`);
    expect(keys).toEqual(expect.arrayContaining(['first_response:0:warning@standard', 'first_response:0:breach@standard', 'resolution:0:warning@urgent', 'resolution:0:breach@urgent']));
    expect(new Set(keys.map((k) => k.split('@')[0])).size).toBe(keys.length);

    // Fire again and again: nothing new, no second webhook.
    for (let i = 0; i < 3; i++) await fireTimer(h, id);
    await h.services.queue.drain((await import('../../src/sla/sla-jobs.js')).slaWebhookJob);
    expect(received).toHaveLength(1);
    expect(eventsOf(h, id, 'sla_breach').map((e) => e.data.key).sort()).toEqual(['first_response:0:breach', 'resolution:0:breach']);

    // What the rules did is stored on the crossing and shown on the ticket.
    const sla = (await h.app.inject({ method: 'GET', url: `/api/tickets/${id}/sla`, headers: h.auth })).json();
    const breach = sla.crossings.find((c: { key: string }) => c.key === 'first_response:0:breach');
    expect(breach.outcome).toMatchObject({ event: 'sla.breach', matched: ['first-response-breach'], changes: { priority: 'urgent', queue: 'escalations', addTags: ['sla-breached'] }, webhooks: [hookUrl] });
    const late = sla.crossings.find((c: { key: string }) => c.key === 'resolution:0:breach');
    expect(late.outcome.matched).toEqual([]);
  });

  it('does not run the rules for a breach noticed only after the clock stopped', async () => {
    h = await createSlaHarness({ slaYaml: OFFICE_SLA_YAML, now: MONDAY_1600, rules: { '20-escalation.yaml': escalationRules(hookUrl) } });
    const id = await newTicket(h);
    // No timer fires (Mailroom was down); the agent replies after the due instant.
    h.clock.set('2026-11-24T12:00:00.000Z');
    const { agentReply } = await import('./sla-harness.js');
    await agentReply(h, id);
    const crossings = crossingsOf(h, id);
    expect(crossings.map((c) => c.key)).toEqual(['first_response:0:warning', 'first_response:0:breach']);
    expect(crossings.every((c) => (c.outcome as { skipped?: string }).skipped === 'the clock had already stopped when this was recorded')).toBe(true);
    expect(ticketRow(id).priority).toBe('normal');
    expect(slaRow(h, id)!.firstResponseBreached).toBe(true);
    expect(received).toEqual([]);
  });
});
