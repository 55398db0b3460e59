/** Reads one ticket with everything an agent's screen shows: customer, messages (HTML sanitized), attachments, events. */
import { asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { attachments, customers, messages, ticketEvents, tickets } from '../db/schema/index.js';
import { sanitizeInboundHtml } from '../api/sanitize-html.js';
import { readTicketSla } from '../sla/read-ticket-sla.js';

export const getTicket = ({ db, ticketId }: { db: Db; ticketId: number }) => {
  const ticket = db.select().from(tickets).where(eq(tickets.id, ticketId)).get();
  if (!ticket) return null;
  const customer = db.select().from(customers).where(eq(customers.id, ticket.customerId)).get()!;
  const rows = db.select().from(messages).where(eq(messages.ticketId, ticketId)).orderBy(asc(messages.createdAt), asc(messages.id)).all();
  const atts = rows.length ? db.select().from(attachments).where(inArray(attachments.messageId, rows.map((m) => m.id))).all() : [];
  const events = db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId)).orderBy(asc(ticketEvents.at), asc(ticketEvents.id)).all();
  return {
    ticket,
    customer,
    messages: rows.map((m) => {
      const mine = atts.filter((a) => a.messageId === m.id);
      const byCid = new Map(mine.filter((a) => a.contentId).map((a) => [a.contentId!, a.id]));
      return {
        id: m.id,
        direction: m.direction,
        messageId: m.messageId,
        inReplyTo: m.inReplyTo,
        from: m.fromAddress ? { name: m.fromName ?? '', address: m.fromAddress } : null,
        to: m.to,
        cc: m.cc,
        subject: m.subject,
        sentAt: m.sentAt,
        receivedAt: m.createdAt,
        text: m.text,
        visibleText: m.visibleText,
        html: m.html ? sanitizeInboundHtml(m.html, { cidUrl: (cid) => (byCid.has(cid) ? `/api/attachments/${byCid.get(cid)}` : null) }) : null,
        flags: m.flags,
        warnings: m.warnings,
        category: m.category,
        confidence: m.confidence,
        attachments: mine.map((a) => ({
          id: a.id, filename: a.filename, contentType: a.contentType, size: a.size, contentId: a.contentId, sha256: a.sha256,
          url: `/api/attachments/${a.id}`,
        })),
      };
    }),
    events,
    // SLA section (src/sla): policy, clocks with due/warning instants, next timer, warnings and breaches.
    sla: readTicketSla({ db, ticketId }),
  };
};
