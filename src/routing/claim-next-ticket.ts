/**
 * `POST /api/queues/:name/next`: the calling agent takes the next ticket of a pull queue.
 *
 * Order: priority (urgent first), then the earliest SLA due time (tickets without a running clock
 * last), then age, then id — the same order as `compareForPull`. Eligible: status new or open, and
 * either unassigned, or claimed earlier by someone whose lease ran out without them acting on it.
 *
 * Exactly one agent gets a ticket: the read and the claim happen in one `BEGIN IMMEDIATE`
 * transaction, which SQLite serializes across connections and processes, so two agents asking at the
 * same instant are handed different tickets. The lease ends when the agent acts (reply, status change),
 * releases, or transfers; when it runs out, the ticket goes back to the queue.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { agents, queueMembers, queues, ticketLeases, tickets } from '../db/schema/index.js';
import { AppError } from '../errors.js';
import { insertTicketEvents, type TicketEventRecord } from '../tickets/ticket-events.js';

/** How long a claim holds a ticket before it returns to the queue if nobody acts on it. */
export const DEFAULT_LEASE_MS = 15 * 60_000;

export type ClaimNextTicketOptions = { db: Db; queue: string; agent: string; now: Date; leaseMs?: number };
export type ClaimResult = { ticketId: number; leaseExpiresAt: Date; events: TicketEventRecord[] } | null;

export const claimNextTicket = ({ db, queue, agent, now, leaseMs = DEFAULT_LEASE_MS }: ClaimNextTicketOptions): ClaimResult =>
  db.transaction((tx) => {
    const q = tx.select().from(queues).where(eq(queues.name, queue)).get();
    if (!q) throw new AppError('NOT_FOUND', `No queue ${queue}`);
    const who = tx.select().from(agents).where(eq(agents.id, agent)).get();
    if (!who) throw new AppError('NOT_FOUND', `No agent ${agent}`);
    if (!who.available) throw new AppError('CONFLICT', `Agent ${agent} is marked away; set them available first`);
    const members = tx.select({ agent: queueMembers.agent }).from(queueMembers).where(eq(queueMembers.queue, queue)).all();
    if (members.length > 0 && !members.some((m) => m.agent === agent)) {
      throw new AppError('FORBIDDEN', `Agent ${agent} is not a member of queue ${queue}`);
    }
    const nowMs = now.getTime();
    const candidate = tx.all<{ id: number; assignee: string | null; leaseAgent: string | null }>(sql`
      select t.id as id, t.assignee as assignee, l.agent as leaseAgent
      from tickets t
      left join ticket_leases l on l.ticket_id = t.id
      left join ticket_sla s on s.ticket_id = t.id
      where t.queue = ${queue} and t.status in ('new', 'open')
        and (t.assignee is null or (l.agent is not null and l.agent = t.assignee and l.expires_at <= ${nowMs}))
      order by case t.priority when 'urgent' then 0 when 'high' then 1 when 'normal' then 2 else 3 end,
        s.due_at is null, s.due_at, t.created_at, t.id
      limit 1`)[0];
    if (!candidate) return null;

    const events: TicketEventRecord[] = [];
    if (candidate.assignee) {
      events.push({ ticketId: candidate.id, type: 'unassigned', actor: 'system', data: { from: candidate.assignee, reason: 'claim lease ran out' }, at: now });
    }
    events.push({ ticketId: candidate.id, type: 'assigned', actor: agent, data: { to: agent, by: 'pull', queue, leaseMs }, at: now });
    tx.update(tickets).set({ assignee: agent, updatedAt: now }).where(eq(tickets.id, candidate.id)).run();
    const expiresAt = new Date(nowMs + leaseMs);
    tx.insert(ticketLeases).values({ ticketId: candidate.id, agent, expiresAt })
      .onConflictDoUpdate({ target: ticketLeases.ticketId, set: { agent, expiresAt } }).run();
    tx.update(agents).set({ lastAssignedAt: now }).where(eq(agents.id, agent)).run();
    insertTicketEvents(tx, events);
    return { ticketId: candidate.id, leaseExpiresAt: expiresAt, events };
  }, { behavior: 'immediate' });

/** Ends a lease without unassigning (the agent acted on the ticket). */
export const endLease = (db: Db, ticketId: number): void => {
  db.delete(ticketLeases).where(eq(ticketLeases.ticketId, ticketId)).run();
};

/** The agent hands a claimed or assigned ticket back to its queue. */
export const releaseTicket = ({ db, ticketId, agent, now }: { db: Db; ticketId: number; agent: string; now: Date }): TicketEventRecord[] =>
  db.transaction((tx) => {
    const t = tx.select().from(tickets).where(eq(tickets.id, ticketId)).get();
    if (!t) throw new AppError('NOT_FOUND', `No ticket ${ticketId}`);
    if (t.assignee !== agent) throw new AppError('CONFLICT', `Ticket ${ticketId} is not assigned to ${agent}`);
    tx.update(tickets).set({ assignee: null, updatedAt: now }).where(eq(tickets.id, ticketId)).run();
    tx.delete(ticketLeases).where(and(eq(ticketLeases.ticketId, ticketId))).run();
    const events: TicketEventRecord[] = [{ ticketId, type: 'unassigned', actor: agent, data: { from: agent, reason: 'released' }, at: now }];
    insertTicketEvents(tx, events);
    return events;
  }, { behavior: 'immediate' });
