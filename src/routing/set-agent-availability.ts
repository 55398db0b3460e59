/**
 * An agent becomes available or goes away. Going away returns their tickets to the queues according to
 * each queue's release policy (`ticketsToRelease`): by default the ones they have not answered yet.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { agents, queues, ticketEvents, ticketLeases, tickets } from '../db/schema/index.js';
import { AppError } from '../errors.js';
import { insertTicketEvents, type TicketEventRecord } from '../tickets/ticket-events.js';
import { ticketsToRelease, type ReleasePolicy } from './release-on-away.js';

export const setAgentAvailability = ({ db, agent, available, now }: { db: Db; agent: string; available: boolean; now: Date }): TicketEventRecord[] =>
  db.transaction((tx) => {
    const a = tx.select().from(agents).where(eq(agents.id, agent)).get();
    if (!a) throw new AppError('NOT_FOUND', `No agent ${agent}`);
    tx.update(agents).set({ available, updatedAt: now }).where(eq(agents.id, agent)).run();
    if (available || !a.available) return [];
    const open = tx.select({ id: tickets.id, queue: tickets.queue }).from(tickets)
      .where(and(eq(tickets.assignee, agent), inArray(tickets.status, ['new', 'open', 'pending']))).all();
    if (open.length === 0) return [];
    const replied = new Set(tx.select({ id: ticketEvents.ticketId }).from(ticketEvents)
      .where(and(eq(ticketEvents.type, 'reply_sent'), eq(ticketEvents.actor, agent), inArray(ticketEvents.ticketId, open.map((t) => t.id)))).all().map((r) => r.id));
    const policies = new Map(tx.select({ name: queues.name, policy: queues.releasePolicy }).from(queues).all().map((q) => [q.name, q.policy as ReleasePolicy]));
    const release = open.filter((t) => ticketsToRelease({
      tickets: [{ id: t.id, firstAgentReplyAt: replied.has(t.id) ? now : null }], policy: policies.get(t.queue) ?? 'unstarted',
    }).length > 0);
    if (release.length === 0) return [];
    const ids = release.map((t) => t.id);
    tx.update(tickets).set({ assignee: null, updatedAt: now }).where(inArray(tickets.id, ids)).run();
    tx.delete(ticketLeases).where(inArray(ticketLeases.ticketId, ids)).run();
    const events = ids.map((ticketId): TicketEventRecord => ({ ticketId, type: 'unassigned', actor: 'system', data: { from: agent, reason: 'agent went away' }, at: now }));
    insertTicketEvents(tx, events);
    return events;
  }, { behavior: 'immediate' });

