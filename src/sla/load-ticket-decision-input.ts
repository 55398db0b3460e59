/**
 * What `on: sla.*` rules see: the ticket's facts rebuilt from the database as a `DecisionInput` (its
 * latest customer message, the customer, the ticket as it stands) and its current `Decision` (queue,
 * priority, category, tags, assignee, SLA policy), the starting point `decideOnEvent` changes.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { attachments, customers, messages, tickets } from '../db/schema/index.js';
import type { Channel, ClassificationResult, Decision, DecisionInput, Priority } from '../decide/types.js';

const CHANNELS: readonly Channel[] = ['webhook', 'form', 'import', 'imap'];

export type LoadTicketDecisionInputOptions = { db: Db; ticketId: number; policy: string | null; now: Date };

/** The ticket's decision input and current decision, or null when it has no inbound message. */
export const loadTicketDecisionInput = ({ db, ticketId, policy, now }: LoadTicketDecisionInputOptions): { input: DecisionInput; current: Decision } | null => {
  const ticket = db.select().from(tickets).where(eq(tickets.id, ticketId)).get();
  if (!ticket) return null;
  const message = db.select().from(messages)
    .where(and(eq(messages.ticketId, ticketId), eq(messages.direction, 'inbound')))
    .orderBy(desc(messages.createdAt), desc(messages.id)).limit(1).get();
  if (!message) return null;
  const customer = db.select().from(customers).where(eq(customers.id, ticket.customerId)).get()!;
  const files = db.select({ filename: attachments.filename, contentType: attachments.contentType, size: attachments.size })
    .from(attachments).where(eq(attachments.messageId, message.id)).all();
  const openTickets = db.select({ n: sql<number>`count(*)` }).from(tickets)
    .where(sql`${tickets.customerId} = ${customer.id} and ${tickets.status} not in ('resolved','closed') and ${tickets.id} <> ${ticketId}`).get()!.n;
  const stored = (message.decision ?? {}) as { trace?: { classification?: ClassificationResult | null } };
  const input: DecisionInput = {
    message: {
      channel: (CHANNELS as readonly string[]).includes(ticket.channel) ? (ticket.channel as Channel) : 'import',
      mailbox: ticket.mailbox,
      messageId: message.messageId,
      from: message.fromAddress ? { name: message.fromName ?? '', address: message.fromAddress } : null,
      to: message.to,
      cc: message.cc,
      subject: message.subject,
      text: message.text,
      visibleText: message.visibleText,
      headers: message.headers,
      attachments: files,
      flags: message.flags,
      receivedAt: message.createdAt,
    },
    customer: {
      email: customer.email, domain: customer.domain, name: customer.name, tier: customer.tier, tags: customer.tags, openTickets,
    },
    ticket: {
      isNew: false, id: ticket.id, status: ticket.status, queue: ticket.queue, priority: ticket.priority as Priority, category: ticket.category,
    },
    classification: stored.trace?.classification ?? null,
    now,
  };
  const current: Decision = {
    category: ticket.category,
    priority: ticket.priority as Priority,
    tags: [...ticket.tags],
    queue: ticket.queue,
    skill: null,
    assignee: ticket.assignee,
    slaPolicy: policy,
    autoReplyTemplate: null,
    acknowledge: null,
    webhooks: [],
  };
  return { input, current };
};
