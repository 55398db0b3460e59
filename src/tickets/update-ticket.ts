/**
 * An agent or supervisor changes a ticket: status, category, priority, queue, assignee, tags. One
 * transaction writes the change and one event per changed field; hooks run after commit.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { tickets, TICKET_STATUSES, type TicketStatus } from '../db/schema/index.js';
import type { Priority } from '../decide/types.js';
import { AppError } from '../errors.js';
import { insertTicketEvents, type TicketEventRecord } from './ticket-events.js';

export type TicketChanges = {
  status?: TicketStatus;
  category?: string | null;
  priority?: Priority;
  queue?: string;
  assignee?: string | null;
  addTags?: string[];
  removeTags?: string[];
  /** why, recorded on the events */
  reason?: string;
};

export type UpdateTicketOptions = { db: Db; ticketId: number; changes: TicketChanges; actor: string; now: Date };

/** Applies the changes; returns the events written (empty when nothing changed). Throws NOT_FOUND. */
export const updateTicket = ({ db, ticketId, changes, actor, now }: UpdateTicketOptions): TicketEventRecord[] =>
  db.transaction((tx) => {
    const t = tx.select().from(tickets).where(eq(tickets.id, ticketId)).get();
    if (!t) throw new AppError('NOT_FOUND', `No ticket ${ticketId}`);
    const events: TicketEventRecord[] = [];
    const set: Partial<typeof tickets.$inferInsert> = {};
    const ev = (type: string, data: Record<string, unknown>) => events.push({ ticketId, type, actor, data: changes.reason ? { ...data, reason: changes.reason } : data, at: now });

    if (changes.status !== undefined && changes.status !== t.status) {
      if (!TICKET_STATUSES.includes(changes.status)) throw new AppError('INVALID_REQUEST', `Unknown status ${changes.status}`);
      set.status = changes.status;
      if (changes.status === 'resolved') set.resolvedAt = now;
      if (t.status === 'resolved' || t.status === 'closed') ev('reopened', { by: actor, from: t.status });
      ev('status_changed', { from: t.status, to: changes.status });
    }
    if (changes.category !== undefined && changes.category !== t.category) {
      set.category = changes.category;
      ev('category_changed', { from: t.category, to: changes.category, by: actor });
    }
    if (changes.priority !== undefined && changes.priority !== t.priority) {
      set.priority = changes.priority;
      ev('priority_changed', { from: t.priority, to: changes.priority, by: actor });
    }
    if (changes.queue !== undefined && changes.queue !== t.queue) {
      set.queue = changes.queue;
      ev('queue_changed', { from: t.queue, to: changes.queue, by: actor });
    }
    if (changes.assignee !== undefined && changes.assignee !== t.assignee) {
      set.assignee = changes.assignee;
      if (changes.assignee === null) ev('unassigned', { from: t.assignee, by: actor });
      else ev('assigned', { to: changes.assignee, from: t.assignee, by: actor });
    }
    if (changes.addTags?.length || changes.removeTags?.length) {
      const before = new Set(t.tags);
      const after = new Set(t.tags);
      for (const tag of changes.addTags ?? []) after.add(tag);
      for (const tag of changes.removeTags ?? []) after.delete(tag);
      const added = [...after].filter((x) => !before.has(x));
      const removed = [...before].filter((x) => !after.has(x));
      if (added.length || removed.length) {
        set.tags = [...after];
        ev('tags_changed', { added, removed });
      }
    }
    if (events.length === 0) return events;
    tx.update(tickets).set({ ...set, updatedAt: now }).where(eq(tickets.id, ticketId)).run();
    insertTicketEvents(tx, events);
    return events;
  }, { behavior: 'immediate' });
