/** ThreadLookups (src/intake/find-thread.ts) backed by the database, with prepared statements. */
import { and, desc, eq, gte, inArray, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { customers, messages, tickets } from '../db/schema/index.js';
import type { ThreadCandidate, ThreadLookups } from '../intake/find-thread.js';

export const createThreadLookups = (db: Db): ThreadLookups => {
  const ticketQ = db.select({ id: tickets.id, status: tickets.status, email: customers.email })
    .from(tickets).innerJoin(customers, eq(customers.id, tickets.customerId))
    .where(eq(tickets.id, sql.placeholder('id'))).prepare();
  const participantsQ = db.select({ from: messages.fromAddress, to: messages.to, cc: messages.cc })
    .from(messages).where(eq(messages.ticketId, sql.placeholder('id'))).limit(200).prepare();
  const byRootQ = db.select({ id: tickets.id }).from(tickets).innerJoin(customers, eq(customers.id, tickets.customerId))
    .where(and(eq(tickets.threadIndexRoot, sql.placeholder('root')), eq(customers.email, sql.placeholder('email'))))
    .orderBy(desc(tickets.updatedAt)).limit(1).prepare();
  const bySubjectQ = db.select({ id: tickets.id }).from(tickets).innerJoin(customers, eq(customers.id, tickets.customerId))
    .where(and(
      eq(customers.email, sql.placeholder('email')),
      eq(tickets.subjectKey, sql.placeholder('key')),
      gte(tickets.updatedAt, sql.placeholder('since')),
      notInArray(tickets.status, ['resolved', 'closed']),
    )).orderBy(desc(tickets.updatedAt)).limit(1).prepare();

  const candidate = (id: number): ThreadCandidate | null => {
    const t = ticketQ.get({ id });
    if (!t) return null;
    const participants = new Set<string>();
    for (const m of participantsQ.all({ id })) {
      if (m.from) participants.add(m.from.toLowerCase());
      for (const a of [...m.to, ...m.cc]) participants.add(a.address.toLowerCase());
    }
    return { id: t.id, status: t.status, customerEmail: t.email, participants: [...participants] };
  };

  return {
    ticketsByMessageIds: (ids) => ids.length === 0 ? [] : db.select({ messageId: messages.messageId, ticketId: messages.ticketId })
      .from(messages).where(inArray(messages.messageId, ids.slice(0, 100))).all(),
    ticketById: candidate,
    ticketByThreadIndexRoot: (root, email) => {
      const row = byRootQ.get({ root, email });
      return row ? candidate(row.id) : null;
    },
    openTicketBySubject: (email, key, since) => {
      const row = bySubjectQ.get({ email, key, since: since.getTime() });
      return row ? candidate(row.id) : null;
    },
  };
};
