/**
 * The acknowledgement intake effect: after a message is filed, decide (plan-auto-reply.ts) whether it
 * gets an automatic answer, render the template, and put the answer in the outbox. The per-recipient
 * hourly limit is counted and the outbox row written in one IMMEDIATE transaction, so two workers
 * filing two messages from the same sender at the same moment cannot both slip under the limit.
 * Every "no" on a new ticket is written to the ticket's history (`auto_reply_skipped`) with its
 * reason; a queued answer is `auto_reply_sent` {outboxId, template, kind}. The events are returned so
 * the caller hands them to the ticket hooks (SLA clocks may count an automatic reply) after commit.
 */
import { and, count, eq, gte, ne } from 'drizzle-orm';
import type { MailroomConfig } from '../config.js';
import type { Db } from '../db/connection.js';
import { outbox, rawMessages, tickets } from '../db/schema/index.js';
import type { ProcessResult } from '../intake/process-raw-message.js';
import { formatTicketToken } from '../intake/find-thread.js';
import { newMessageId } from '../mail-identity.js';
import type { QueueDriver } from '../queue/queue-driver.js';
import { insertTicketEvents, type TicketEventRecord } from '../tickets/ticket-events.js';
import { machineHeaders, threadHeaders } from './compose-outgoing.js';
import { headerText } from './header-safe.js';
import { insertOutgoing } from './insert-outgoing.js';
import { loadTemplate } from './load-template.js';
import { outboxSendJob } from './outbound-jobs.js';
import { autoReplyLimitReached, autoReplyWindowStart, planAutoReply, type AutoReplyFacts } from './plan-auto-reply.js';
import { renderTemplate, TemplateError } from './render-template.js';
import { ownAddresses, resolveSender } from './resolve-sender.js';

export type FiledMessage = Extract<ProcessResult, { status: 'processed' }>;

export type AcknowledgeMessageOptions = {
  db: Db;
  queue: QueueDriver;
  config: MailroomConfig;
  result: FiledMessage;
  now: Date;
};

export type AcknowledgeOutcome = ({ queued: true; outboxId: number } | { queued: false; reason: string }) & {
  /** written with the outcome; hand them to `services.emitTicketEvents` */
  events: TicketEventRecord[];
};

/** The actor recorded on events Mailroom's automatic replies cause. */
export const AUTO_REPLY_ACTOR = 'mailroom';

/** The mailbox's or form's own acknowledgement setting for the message, or null when it came through neither. */
const configuredFor = (db: Db, config: MailroomConfig, result: FiledMessage): AutoReplyFacts['configured'] => {
  const mailboxTemplate = (name: string | null) => config.mailboxes.find((m) => m.name === name)?.acknowledgeTemplate ?? 'acknowledgement';
  if (result.channel === 'form') {
    const raw = db.select({ ref: rawMessages.channelRef }).from(rawMessages).where(eq(rawMessages.id, result.rawMessageId)).get();
    const form = config.forms.find((f) => f.id === raw?.ref);
    return form ? { acknowledge: form.acknowledge, template: mailboxTemplate(form.mailbox) } : null;
  }
  const mailbox = config.mailboxes.find((m) => m.name === result.mailbox);
  return mailbox ? { acknowledge: mailbox.acknowledge, template: mailbox.acknowledgeTemplate } : null;
};

const skipEvents = (result: FiledMessage, reason: string, now: Date): TicketEventRecord[] =>
  result.ticketCreated
    ? [{ ticketId: result.ticketId, type: 'auto_reply_skipped', actor: AUTO_REPLY_ACTOR, data: { reason, messageId: result.messageRowId }, at: now }]
    : [];

const recordSkip = (db: Db, result: FiledMessage, reason: string, now: Date): AcknowledgeOutcome => {
  const events = skipEvents(result, reason, now);
  insertTicketEvents(db, events);
  return { queued: false, reason, events };
};

/** Decides, renders and queues the automatic answer to one filed message. Never throws for a "no". */
export const acknowledgeMessage = async ({ db, queue, config, result, now }: AcknowledgeMessageOptions): Promise<AcknowledgeOutcome> => {
  const smtp = config.smtp;
  const recipient = result.customerEmail.toLowerCase();
  const plan = planAutoReply({
    isNewTicket: result.ticketCreated,
    flags: result.flags,
    recipient,
    headers: result.parsed.headers,
    configured: configuredFor(db, config, result),
    decision: { acknowledge: result.decision.acknowledge, autoReplyTemplate: result.decision.autoReplyTemplate },
    ownAddresses: ownAddresses(config),
    ownDomain: config.domain,
  });
  if (!plan.send) return recordSkip(db, result, plan.reason, now);

  const sender = resolveSender(config, result.mailbox);
  if (!sender) return recordSkip(db, result, `no address to send from: mailbox "${result.mailbox ?? ''}" is not in mailboxes[] and smtp.from is not set`, now);

  const ticket = db.select({ subject: tickets.subject }).from(tickets).where(eq(tickets.id, result.ticketId)).get();
  const token = formatTicketToken(config.ticketTag, result.ticketId);
  const customerName = headerText(result.parsed.from?.name ?? '', 200);
  let rendered;
  try {
    rendered = renderTemplate({
      source: loadTemplate({ templatesDir: config.templatesDir, name: plan.template }),
      vars: {
        ticket: { id: result.ticketId, token, subject: ticket?.subject ?? result.parsed.subject },
        customer: { name: customerName, email: recipient },
        subject: result.parsed.subject,
        mailbox: { name: result.mailbox, address: sender.address, fromName: sender.name || null },
      },
    });
  } catch (err) {
    if (err instanceof TemplateError) return recordSkip(db, result, err.message, now);
    throw err;
  }

  const limit = smtp?.autoReplyLimitPerHour ?? 3;
  const thread = threadHeaders(result.parsed.messageId
    ? { messageId: result.parsed.messageId, inReplyTo: result.parsed.inReplyTo, references: result.parsed.references }
    : null);
  const outcome = db.transaction((tx): AcknowledgeOutcome => {
    const recent = tx.select({ n: count() }).from(outbox)
      .where(and(eq(outbox.recipientKey, recipient), ne(outbox.kind, 'reply'), gte(outbox.createdAt, autoReplyWindowStart(now))))
      .get()!.n;
    if (autoReplyLimitReached({ recentCount: recent, limitPerHour: limit })) {
      const reason = `${recipient} already got ${recent} automatic replies in the last hour (limit ${limit}, smtp.autoReplyLimitPerHour)`;
      const events = skipEvents(result, reason, now);
      insertTicketEvents(tx, events);
      return { queued: false, reason, events };
    }
    const { outboxId } = insertOutgoing(tx, {
      kind: plan.kind,
      ticketId: result.ticketId,
      mailbox: result.mailbox,
      from: sender,
      to: [{ name: customerName, address: recipient }],
      cc: [],
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      messageId: newMessageId(config.domain, 'ack'),
      ...thread,
      headers: machineHeaders(config.domain),
      attachments: [],
      envelopeFrom: smtp?.autoReplyNullSender ? '' : null,
      now,
    });
    const events: TicketEventRecord[] = [{
      ticketId: result.ticketId, type: 'auto_reply_sent', actor: AUTO_REPLY_ACTOR, at: now,
      data: { outboxId, template: plan.template, kind: plan.kind, to: recipient },
    }];
    insertTicketEvents(tx, events);
    return { queued: true, outboxId, events };
  }, { behavior: 'immediate' });

  if (outcome.queued) await queue.enqueue(outboxSendJob, { outboxId: outcome.outboxId, attempt: 1 });
  return outcome;
};
