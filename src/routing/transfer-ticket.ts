/**
 * Moves a ticket to another queue and/or agent. Transfers are counted; past MAX_TRANSFERS_BEFORE_FLAG a
 * ticket is tagged `transfer-loop` so a supervisor sees the ping-pong.
 */
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { agents, queues, ticketLeases, tickets } from '../db/schema/index.js';
import { AppError } from '../errors.js';
import { insertTicketEvents, type TicketEventRecord } from '../tickets/ticket-events.js';
import { isTransferLimitExceeded } from './release-on-away.js';

export const TRANSFER_LOOP_TAG = 'transfer-loop';

export type TransferTicketOptions = {
  db: Db; ticketId: number; toQueue?: string; toAgent?: string | null; reason?: string; actor: string; now: Date;
};

export const transferTicket = ({ db, ticketId, toQueue, toAgent, reason, actor, now }: TransferTicketOptions): TicketEventRecord[] =>
  db.transaction((tx) => {
    const t = tx.select().from(tickets).where(eq(tickets.id, ticketId)).get();
    if (!t) throw new AppError('NOT_FOUND', `No ticket ${ticketId}`);
    if (toQueue === undefined && toAgent === undefined) throw new AppError('INVALID_REQUEST', 'Name a queue, an agent, or both');
    if (toQueue !== undefined && !tx.select().from(queues).where(eq(queues.name, toQueue)).get()) throw new AppError('NOT_FOUND', `No queue ${toQueue}`);
    if (toAgent && !tx.select().from(agents).where(eq(agents.id, toAgent)).get()) throw new AppError('NOT_FOUND', `No agent ${toAgent}`);
    const queue = toQueue ?? t.queue;
    const assignee = toAgent === undefined ? (toQueue !== undefined && toQueue !== t.queue ? null : t.assignee) : toAgent;
    const count = t.transferCount + 1;
    const flagged = isTransferLimitExceeded(count);
    const tags = flagged && !t.tags.includes(TRANSFER_LOOP_TAG) ? [...t.tags, TRANSFER_LOOP_TAG] : t.tags;
    tx.update(tickets).set({ queue, assignee, tags, transferCount: sql`${tickets.transferCount} + 1`, updatedAt: now }).where(eq(tickets.id, ticketId)).run();
    tx.delete(ticketLeases).where(eq(ticketLeases.ticketId, ticketId)).run();
    const events: TicketEventRecord[] = [{
      ticketId, type: 'transferred', actor,
      data: { fromQueue: t.queue, toQueue: queue, fromAssignee: t.assignee, toAssignee: assignee, count, flagged, ...(reason ? { reason } : {}) },
      at: now,
    }];
    if (flagged && tags !== t.tags) events.push({ ticketId, type: 'tags_changed', actor: 'system', data: { added: [TRANSFER_LOOP_TAG], removed: [], reason: `transferred ${count} times` }, at: now });
    insertTicketEvents(tx, events);
    return events;
  }, { behavior: 'immediate' });
