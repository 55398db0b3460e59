/**
 * Writes an outgoing message where it belongs, inside the caller's transaction: an outbound `messages`
 * row on the ticket (so agents see it in the thread, and a customer's answer to it threads by
 * In-Reply-To), its attachment rows, and the outbox row that the send job works from. Queuing the job
 * is the caller's, after commit.
 */
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { attachments, messages, outbox, tickets } from '../db/schema/index.js';
import type { OutboxAddress, OutboxAttachment, OutboxKind } from '../db/schema/index.js';

/** The transaction handle drizzle passes to `db.transaction` callbacks. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export type OutgoingRecord = {
  kind: OutboxKind;
  ticketId: number;
  mailbox: string | null;
  from: OutboxAddress;
  to: OutboxAddress[];
  cc: OutboxAddress[];
  subject: string;
  text: string;
  html: string | null;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  headers: Record<string, string>;
  attachments: OutboxAttachment[];
  envelopeFrom: string | null;
  now: Date;
};

export const insertOutgoing = (tx: Tx, r: OutgoingRecord): { outboxId: number; messageRowId: number } => {
  const machine = r.kind !== 'reply';
  const message = tx.insert(messages).values({
    ticketId: r.ticketId,
    rawMessageId: null,
    direction: 'outbound',
    messageId: r.messageId,
    inReplyTo: r.inReplyTo,
    references: r.references,
    fromAddress: r.from.address,
    fromName: r.from.name || null,
    to: r.to,
    cc: r.cc,
    replyTo: [],
    subject: r.subject,
    sentAt: null,
    text: r.text,
    html: r.html,
    visibleText: r.text,
    flags: { autoReply: machine, bounce: false, loop: false, bulk: false, signals: machine ? [`sent by Mailroom (${r.kind})`] : [] },
    headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), [v]])),
    createdAt: r.now,
  }).returning({ id: messages.id }).get();
  if (r.attachments.length > 0) {
    tx.insert(attachments).values(r.attachments.map((a) => ({
      messageId: message.id, filename: a.filename, contentType: a.contentType, size: a.size,
      contentId: null, disposition: 'attachment', sha256: a.sha256,
    }))).run();
  }
  const row = tx.insert(outbox).values({
    kind: r.kind,
    state: 'queued',
    ticketId: r.ticketId,
    messageRowId: message.id,
    mailbox: r.mailbox,
    fromAddress: r.from.address,
    fromName: r.from.name || null,
    to: r.to,
    cc: r.cc,
    subject: r.subject,
    text: r.text,
    html: r.html,
    messageId: r.messageId,
    inReplyTo: r.inReplyTo,
    references: r.references,
    headers: r.headers,
    attachments: r.attachments,
    envelopeFrom: r.envelopeFrom,
    recipientKey: (r.to[0]?.address ?? '').toLowerCase(),
    createdAt: r.now,
    updatedAt: r.now,
  }).returning({ id: outbox.id }).get();
  tx.update(tickets).set({ messageCount: sql`${tickets.messageCount} + 1`, updatedAt: r.now }).where(eq(tickets.id, r.ticketId)).run();
  return { outboxId: row.id, messageRowId: message.id };
};
