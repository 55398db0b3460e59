import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TicketEventRecord } from '../../src/tickets/ticket-events.js';
import { createHarness, eml, postInbound, type Harness } from '../support/harness.js';

let h: Harness;
let seen: TicketEventRecord[];
beforeEach(async () => {
  h = await createHarness();
  seen = [];
  h.services.ticketHooks.push((e) => { seen.push(e); });
});
afterEach(async () => { await h.close(); });

const newTicket = async () => {
  await postInbound(h, eml({ subject: 'Card declined' }));
  await h.drain();
  return (await h.app.inject({ method: 'GET', url: '/api/tickets', headers: h.auth })).json().tickets[0].id as number;
};

describe('PATCH /api/tickets/:id', () => {
  it('records one event per changed field, with the actor, and hands them to the hooks', async () => {
    const id = await newTicket();
    expect(seen.map((e) => e.type)).toEqual(['created', 'message_received']);
    const res = await h.app.inject({
      method: 'PATCH', url: `/api/tickets/${id}`, headers: { ...h.auth, 'x-mailroom-actor': 'agent.anna' },
      payload: { status: 'open', category: 'card_declined', priority: 'high', queue: 'billing', assignee: 'anna', addTags: ['vip'] },
    });
    expect(res.statusCode, res.body).toBe(200);
    const types = res.json().events.map((e: { type: string }) => e.type);
    expect(types).toEqual(['status_changed', 'category_changed', 'priority_changed', 'queue_changed', 'assigned', 'tags_changed']);
    expect(seen.slice(2).every((e) => e.actor === 'agent.anna')).toBe(true);
    const t = (await h.app.inject({ method: 'GET', url: `/api/tickets/${id}`, headers: h.auth })).json().ticket;
    expect(t).toMatchObject({ status: 'open', category: 'card_declined', priority: 'high', queue: 'billing', assignee: 'anna', tags: ['vip'] });
  });

  it('writes nothing when nothing changes, and reopening from resolved says so', async () => {
    const id = await newTicket();
    const same = await h.app.inject({ method: 'PATCH', url: `/api/tickets/${id}`, headers: h.auth, payload: { status: 'new' } });
    expect(same.json().events).toEqual([]);
    await h.app.inject({ method: 'PATCH', url: `/api/tickets/${id}`, headers: h.auth, payload: { status: 'resolved' } });
    const reopen = await h.app.inject({ method: 'PATCH', url: `/api/tickets/${id}`, headers: h.auth, payload: { status: 'open' } });
    expect(reopen.json().events.map((e: { type: string }) => e.type)).toEqual(['reopened', 'status_changed']);
  });

  it('validates the body and answers 404 for an unknown ticket', async () => {
    const id = await newTicket();
    for (const payload of [{}, { status: 'done' }, { priority: 'asap' }, { colour: 'red' }]) {
      const res = await h.app.inject({ method: 'PATCH', url: `/api/tickets/${id}`, headers: h.auth, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
    const missing = await h.app.inject({ method: 'PATCH', url: '/api/tickets/999', headers: h.auth, payload: { status: 'open' } });
    expect(missing.statusCode).toBe(404);
  });
});
