/**
 * An agent's reply to a ticket: validated, wrapped in the reply template, threaded to the customer's
 * latest message, written to the ticket and the outbox in one transaction, then queued for sending.
 *
 * From: the mailbox the ticket came in through (resolve-sender.ts). To: the Reply-To of the customer's
 * latest message, else its From, else the ticket's customer. Subject: `Re: <ticket subject> [#id]`.
 * The ticket becomes `pending` (waiting on the customer; intake turns it back to `open` when they
 * answer), and the first reply sets `first_response_at` once, with a `first_response` event.
 */
import { and, desc, eq } from 'drizzle-orm';
import type { MailroomConfig } from '../config.js';
import type { BlobStore } from '../db/blob-store.js';
import type { Db } from '../db/connection.js';
import { customers, messages, tickets } from '../db/schema/index.js';
import type { OutboxAddress, OutboxAttachment, TicketStatus } from '../db/schema/index.js';
import { AppError } from '../errors.js';
import { formatTicketToken } from '../intake/find-thread.js';
import { newMessageId } from '../mail-identity.js';
import type { QueueDriver } from '../queue/queue-driver.js';
import { insertTicketEvents, type TicketEventRecord } from '../tickets/ticket-events.js';
import { personHeaders, replySubject, threadHeaders } from './compose-outgoing.js';
import { hasLineBreak, headerText, isBareAddress } from './header-safe.js';
import { insertOutgoing } from './insert-outgoing.js';
import { loadOptionalTemplate } from './load-template.js';
import { outboxSendJob } from './outbound-jobs.js';
import { renderTemplate, TemplateError } from './render-template.js';
import { resolveSender } from './resolve-sender.js';

/** Limits on what an agent's reply may carry. */
export const MAX_REPLY_BODY_CHARS = 200_000;
export const MAX_REPLY_CC = 20;
export const MAX_REPLY_ATTACHMENTS = 10;
export const MAX_REPLY_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export type ReplyAttachmentInput = { filename: string; contentType: string; content: Buffer };

export type SendReplyOptions = {
  db: Db;
  blobs: BlobStore;
  queue: QueueDriver;
  config: MailroomConfig;
  ticketId: number;
  body: string;
  cc?: string[];
  attachments?: ReplyAttachmentInput[];
  /** who is replying (an agent id); recorded as the events' actor and `by` */
  agent?: string;
  now: Date;
};

export type SendReplyResult = {
  outboxId: number;
  messageRowId: number;
  messageId: string;
  subject: string;
  to: OutboxAddress[];
  cc: OutboxAddress[];
  ticketStatus: TicketStatus;
  firstResponse: boolean;
  /** written with the reply; hand them to `services.emitTicketEvents` */
  events: TicketEventRecord[];
};

/** The actor of a reply sent through the API without naming an agent. */
export const DEFAULT_REPLY_ACTOR = 'api';

const CONTENT_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i;

/** A file name that is safe in a Content-Disposition header and says nothing about our paths. */
export const safeFilename = (name: string): string =>
  headerText(name.replace(/[\\/]/g, '_'), 200).replace(/^\.+/, '') || 'attachment';

const validate = (o: SendReplyOptions): { body: string; cc: OutboxAddress[] } => {
  const body = o.body.replace(/\r\n?/g, '\n');
  if (body.trim().length === 0) throw new AppError('INVALID_REQUEST', 'The reply body is empty');
  if (body.length > MAX_REPLY_BODY_CHARS) throw new AppError('PAYLOAD_TOO_LARGE', `The reply body is over ${MAX_REPLY_BODY_CHARS} characters`);
  const cc = o.cc ?? [];
  if (cc.length > MAX_REPLY_CC) throw new AppError('INVALID_REQUEST', `At most ${MAX_REPLY_CC} cc addresses`);
  for (const address of cc) {
    if (hasLineBreak(address)) throw new AppError('INVALID_REQUEST', 'A cc address contains a line break');
    if (!isBareAddress(address.trim())) throw new AppError('INVALID_REQUEST', `Not a valid cc address: ${address.slice(0, 100)}`);
  }
  const files = o.attachments ?? [];
  if (files.length > MAX_REPLY_ATTACHMENTS) throw new AppError('INVALID_REQUEST', `At most ${MAX_REPLY_ATTACHMENTS} attachments`);
  const total = files.reduce((n, f) => n + f.content.length, 0);
  if (total > MAX_REPLY_ATTACHMENT_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', `Attachments total ${total} bytes; the limit is ${MAX_REPLY_ATTACHMENT_BYTES}`);
  for (const f of files) {
    if (!CONTENT_TYPE.test(f.contentType)) throw new AppError('INVALID_REQUEST', `Not a valid content type: ${f.contentType.slice(0, 100)}`);
    if (hasLineBreak(f.filename)) throw new AppError('INVALID_REQUEST', 'An attachment file name contains a line break');
  }
  const unique = [...new Set(cc.map((a) => a.trim().toLowerCase()))];
  return { body, cc: unique.map((address) => ({ name: '', address })) };
};

/** Validates and queues an agent's reply. Throws AppError (400, 404, 409, 413). */
export const sendReply = async (o: SendReplyOptions): Promise<SendReplyResult> => {
  const { db, config, now } = o;
  const { body, cc } = validate(o);
  const by = headerText(o.agent ?? '', 100) || DEFAULT_REPLY_ACTOR;
  const ticket = db.select().from(tickets).where(eq(tickets.id, o.ticketId)).get();
  if (!ticket) throw new AppError('NOT_FOUND', `No ticket ${o.ticketId}`);
  if (ticket.status === 'closed') throw new AppError('CONFLICT', `Ticket ${o.ticketId} is closed; a new message from the customer opens a follow-up ticket`);
  const sender = resolveSender(config, ticket.mailbox);
  if (!sender) {
    throw new AppError('CONFLICT', `No address to send from: mailbox "${ticket.mailbox ?? ''}" is not in mailboxes[] and smtp.from is not set`);
  }
  const customer = db.select().from(customers).where(eq(customers.id, ticket.customerId)).get()!;
  const parent = db.select().from(messages)
    .where(and(eq(messages.ticketId, ticket.id), eq(messages.direction, 'inbound')))
    .orderBy(desc(messages.createdAt), desc(messages.id)).limit(1).get();
  const toAddress = parent?.replyTo[0] ?? (parent?.fromAddress ? { name: parent.fromName ?? '', address: parent.fromAddress } : null)
    ?? { name: customer.name ?? '', address: customer.email };
  const to: OutboxAddress[] = [{ name: headerText(toAddress.name, 200), address: toAddress.address }];
  const ccList = cc.filter((a) => a.address !== to[0].address.toLowerCase());

  const token = formatTicketToken(config.ticketTag, ticket.id);
  const wrapper = loadOptionalTemplate({ templatesDir: config.templatesDir, name: 'reply' });
  let text = body;
  if (wrapper) {
    try {
      text = renderTemplate({
        source: { ...wrapper, html: null },
        vars: {
          ticket: { id: ticket.id, token, subject: ticket.subject },
          customer: { name: customer.name ?? '', email: customer.email },
          subject: ticket.subject,
          mailbox: { name: ticket.mailbox, address: sender.address, fromName: sender.name || null },
          body,
        },
      }).text;
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      throw new AppError('INTERNAL', err.message, 'The reply template (templates/reply.liquid) is broken; the reply was not sent');
    }
  }

  const files: OutboxAttachment[] = (o.attachments ?? []).map((f) => ({
    filename: safeFilename(f.filename), contentType: f.contentType.toLowerCase(), size: f.content.length, sha256: o.blobs.put(f.content),
  }));
  const subject = replySubject({ subject: ticket.subject, ticketId: ticket.id, ticketTag: config.ticketTag });
  const messageId = newMessageId(config.domain, 'reply');
  const thread = threadHeaders(parent ? { messageId: parent.messageId, inReplyTo: parent.inReplyTo, references: parent.references } : null);

  const written = db.transaction((tx) => {
    const ids = insertOutgoing(tx, {
      kind: 'reply', ticketId: ticket.id, mailbox: ticket.mailbox, from: sender, to, cc: ccList, subject, text, html: null,
      messageId, ...thread, headers: personHeaders(config.domain), attachments: files, envelopeFrom: null, now,
    });
    const current = tx.select({ status: tickets.status, firstResponseAt: tickets.firstResponseAt }).from(tickets).where(eq(tickets.id, ticket.id)).get()!;
    tx.update(tickets).set({ status: 'pending', updatedAt: now, ...(current.firstResponseAt === null ? { firstResponseAt: now } : {}) })
      .where(eq(tickets.id, ticket.id)).run();
    const ev = (type: string, data: Record<string, unknown>): TicketEventRecord => ({ ticketId: ticket.id, type, actor: by, data, at: now });
    const events: TicketEventRecord[] = [
      ev('reply_sent', { outboxId: ids.outboxId, messageId, by, to: to.map((a) => a.address), cc: ccList.map((a) => a.address), attachments: files.length }),
    ];
    if (current.firstResponseAt === null) events.push(ev('first_response', { by, outboxId: ids.outboxId }));
    if (current.status === 'resolved') events.push(ev('reopened', { by, from: current.status, reason: 'agent replied' }));
    if (current.status !== 'pending') events.push(ev('status_changed', { from: current.status, to: 'pending', reason: 'agent replied' }));
    insertTicketEvents(tx, events);
    return { ...ids, firstResponse: current.firstResponseAt === null, events };
  }, { behavior: 'immediate' });

  await o.queue.enqueue(outboxSendJob, { outboxId: written.outboxId, attempt: 1 });
  return {
    outboxId: written.outboxId, messageRowId: written.messageRowId, messageId, subject, to, cc: ccList,
    ticketStatus: 'pending', firstResponse: written.firstResponse, events: written.events,
  };
};
