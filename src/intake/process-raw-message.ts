/**
 * Process one accepted raw message: parse → detect → visible text → thread → classify → decide → file.
 * Building the DecisionInput is shared with `mailroom rules test` (build-decision-input.ts).
 *
 * Everything up to "file" is pure or read-only; filing (customer, ticket, message, attachments, events,
 * raw state) is one SQLite transaction, so a worker killed at any point leaves either nothing or
 * everything, and the message is processed exactly once when the job runs again (the raw row's state and
 * the unique raw_message_id on messages both guard it).
 *
 * The result carries what later stages (acknowledgement, SLA clocks, webhooks) need; they run after
 * commit through `IntakeEffect`s, never inside this function.
 */
import { eq, sql } from 'drizzle-orm';
import type { BlobStore } from '../db/blob-store.js';
import type { Db } from '../db/connection.js';
import { attachments, customers, messages, rawMessages, tickets } from '../db/schema/index.js';
import { insertTicketEvents, type TicketEventRecord } from '../tickets/ticket-events.js';
import type { TicketStatus } from '../db/schema/index.js';
import type { FormConfig, MailboxConfig } from '../config.js';
import type { Clock } from '../clock.js';
import type { Channel, ClassificationResult, Decision, DecisionInput, DecisionTrace, DetectionFlags, Priority } from '../decide/types.js';
import { PRIORITIES } from '../decide/types.js';
import { syntheticMessageId } from '../mail-identity.js';
import { storedInputFacts, type StoredDecision } from '../decide/stored-decision.js';
import { buildDecisionInput, CHANNELS, intakeSummaryLines, readParsedMessage, UNKNOWN_MAILER_DAEMON } from './build-decision-input.js';
import { subjectKey, threadIndexRoot, type ThreadMatch } from './find-thread.js';
import { lookUpDecisionFacts } from './look-up-decision-facts.js';
import { composeMessageText } from '../classify/compose-message-text.js';
import { parseMessage, UnparseableMessageError } from './parse-message.js';
import type { ParsedMessage } from './parsed-message.js';

export type DecideFn = (input: DecisionInput) => { decision: Decision; trace: DecisionTrace };
export type ClassifyFn = (text: string) => ClassificationResult | null;

export type IntakeSettings = {
  domain: string;
  ticketTag: string;
  subjectThreadDays: number;
  mailboxes: MailboxConfig[];
  forms: FormConfig[];
};

export type IntakeDeps = {
  db: Db;
  blobs: BlobStore;
  settings: IntakeSettings;
  decide: DecideFn;
  /** absent or returning null on a cold start (no model yet): rules alone decide */
  classify?: ClassifyFn;
  clock: Clock;
  /** fault injection for tests: runs inside the filing transaction, just before commit */
  beforeCommit?: () => void;
};

export type ProcessResult =
  | { status: 'already-processed'; rawMessageId: number }
  | { status: 'quarantined'; rawMessageId: number; reason: string }
  | {
    status: 'processed';
    rawMessageId: number;
    ticketId: number;
    messageRowId: number;
    ticketCreated: boolean;
    reopened: boolean;
    /** the ticket events this filing wrote */
    events: TicketEventRecord[];
    channel: Channel;
    /** the channel's own name for where it came from: form id, IMAP account, webhook ?mailbox=, import path */
    channelRef: string | null;
    mailbox: string | null;
    customerEmail: string;
    flags: DetectionFlags;
    thread: ThreadMatch;
    /** what `decide` saw (shadow rule sets decide the same input again) */
    input: DecisionInput;
    decision: Decision;
    trace: DecisionTrace;
    parsed: ParsedMessage;
  };

/** Runs after the filing transaction committed (acknowledgement, SLA clocks, webhooks...). */
export type IntakeEffect = (result: Extract<ProcessResult, { status: 'processed' }>) => Promise<void>;

/** The customer a sender-less bounce is filed under (see build-decision-input.ts). */
export { UNKNOWN_MAILER_DAEMON };

const maxPriority = (a: Priority, b: Priority): Priority => (PRIORITIES.indexOf(a) >= PRIORITIES.indexOf(b) ? a : b);

/** Reads, parses and files one raw message. Throws only on unexpected (retryable) failures. */
export const processRawMessage = async ({ rawMessageId, deps }: { rawMessageId: number; deps: IntakeDeps }): Promise<ProcessResult> => {
  const { db, blobs, settings } = deps;
  const raw = db.select().from(rawMessages).where(eq(rawMessages.id, rawMessageId)).get();
  if (!raw) throw new Error(`raw message ${rawMessageId} does not exist`);
  if (raw.state === 'processed') return { status: 'already-processed', rawMessageId };

  db.update(rawMessages).set({ state: 'processing', attempts: sql`${rawMessages.attempts} + 1` }).where(eq(rawMessages.id, rawMessageId)).run();
  const quarantine = (reason: string): ProcessResult => {
    db.update(rawMessages).set({ state: 'failed', error: reason, processedAt: deps.clock.now() }).where(eq(rawMessages.id, rawMessageId)).run();
    return { status: 'quarantined', rawMessageId, reason };
  };

  const bytes = blobs.get(raw.sha256);
  let parsed: ParsedMessage;
  try {
    parsed = await parseMessage(bytes);
  } catch (err) {
    if (err instanceof UnparseableMessageError) return quarantine(err.reason);
    throw err;
  }
  const channel: Channel = (CHANNELS as readonly string[]).includes(raw.channel) ? (raw.channel as Channel) : 'import';
  const receivedAt = raw.receivedAt;
  const reading = readParsedMessage({ parsed, channel, channelRef: raw.channelRef, receivedAt, settings });
  if (!reading.ok) return quarantine(reading.reason);
  const { flags, sender, senderEmail, mailbox, visibleText } = reading;

  const { thread, ticket: existingTicket, customer: existingCustomer, customerOpenTickets } = lookUpDecisionFacts({ db, parsed, senderEmail, receivedAt, settings, flags });
  const classification = deps.classify?.(composeMessageText({ subject: parsed.subject, visibleText })) ?? null;
  const input = buildDecisionInput({ reading, customer: existingCustomer, customerOpenTickets, ticket: existingTicket, classification });
  const { decision, trace } = deps.decide(input);
  trace.summary.unshift(...intakeSummaryLines({ flags, thread }));

  // Contents first (content-addressed, idempotent), so the transaction only writes rows.
  for (const a of parsed.attachments) blobs.put(a.content);

  const automated = flags.autoReply || flags.bounce || flags.loop;
  const messageId = parsed.messageId ?? syntheticMessageId(rawMessageId, settings.domain);
  const key = subjectKey(parsed.subject, settings.ticketTag);

  // Filing is reproducible from the stored raw message, which stays `processing` until this commits, so
  // its commit need not wait for fsync (synchronous=NORMAL): after a power cut the message is simply
  // filed again at start-up. Accepting keeps synchronous=FULL. better-sqlite3 is synchronous, so no other
  // statement can run on this connection between the two pragmas.
  const author = sender;
  const fileTransaction = () => db.transaction((tx) => {
    const current = tx.select({ state: rawMessages.state }).from(rawMessages).where(eq(rawMessages.id, rawMessageId)).get();
    if (current?.state === 'processed') return null;

    const customerRow = tx.insert(customers).values({
      email: senderEmail, name: author.name || null, domain: input.customer.domain, createdAt: receivedAt,
    }).onConflictDoUpdate({ target: customers.email, set: { name: sql`coalesce(${customers.name}, excluded.name)` } })
      .returning({ id: customers.id }).get();

    let ticketId: number;
    let ticketCreated = false;
    let reopened = false;
    const events: Array<{ type: string; data: Record<string, unknown> }> = [];
    if (existingTicket) {
      ticketId = existingTicket.id;
      let status: TicketStatus = existingTicket.status;
      if (!automated && existingTicket.status === 'resolved') {
        status = 'open';
        reopened = true;
        events.push({ type: 'reopened', data: { by: senderEmail, reason: 'customer replied to a resolved ticket' } });
      } else if (!automated && existingTicket.status === 'pending') {
        status = 'open';
        events.push({ type: 'status_changed', data: { from: 'pending', to: 'open', reason: 'customer replied' } });
      }
      const priority = maxPriority(existingTicket.priority, decision.priority);
      const tags = [...new Set([...existingTicket.tags, ...decision.tags])];
      tx.update(tickets).set({
        status, priority, tags,
        messageCount: sql`${tickets.messageCount} + 1`,
        updatedAt: receivedAt,
        ...(automated ? {} : { lastCustomerMessageAt: receivedAt }),
      }).where(eq(tickets.id, ticketId)).run();
      if (priority !== existingTicket.priority) events.push({ type: 'priority_changed', data: { from: existingTicket.priority, to: priority, by: 'rules' } });
    } else {
      const row = tx.insert(tickets).values({
        subject: parsed.subject || '(no subject)',
        subjectKey: key,
        status: 'new',
        customerId: customerRow.id,
        channel,
        mailbox,
        queue: decision.queue,
        category: decision.category,
        priority: decision.priority,
        tags: decision.tags,
        assignee: decision.assignee,
        threadIndexRoot: threadIndexRoot(parsed.headers['thread-index']?.[0]),
        messageCount: 1,
        createdAt: receivedAt,
        updatedAt: receivedAt,
        lastCustomerMessageAt: automated ? null : receivedAt,
      }).returning({ id: tickets.id }).get();
      ticketId = row.id;
      ticketCreated = true;
      events.push({ type: 'created', data: { channel, mailbox, queue: decision.queue, priority: decision.priority, category: decision.category, followUpOf: thread.followUpOf } });
      if (decision.assignee) events.push({ type: 'assigned', data: { to: decision.assignee, by: 'rules' } });
    }

    const messageRow = tx.insert(messages).values({
      ticketId,
      rawMessageId,
      direction: 'inbound',
      messageId,
      inReplyTo: parsed.inReplyTo,
      references: parsed.references,
      fromAddress: author.address,
      fromName: author.name || null,
      to: parsed.to,
      cc: parsed.cc,
      replyTo: parsed.replyTo,
      subject: parsed.subject,
      sentAt: parsed.date,
      text: parsed.text,
      html: parsed.html,
      visibleText,
      flags,
      headers: parsed.headers,
      warnings: parsed.warnings,
      category: classification?.category ?? null,
      confidence: classification?.confidence ?? null,
      decision: { decision, trace, thread, input: storedInputFacts(input) } satisfies StoredDecision as unknown as Record<string, unknown>,
      createdAt: receivedAt,
    }).returning({ id: messages.id }).get();

    if (parsed.attachments.length > 0) {
      tx.insert(attachments).values(parsed.attachments.map((a) => ({
        messageId: messageRow.id, filename: a.filename, contentType: a.contentType, size: a.size,
        contentId: a.contentId, disposition: a.disposition, sha256: a.sha256,
      }))).run();
    }
    events.push({ type: 'message_received', data: { messageId: messageRow.id, from: senderEmail, automated, signals: flags.signals } });
    const records: TicketEventRecord[] = events.map((e) => ({ ticketId, type: e.type, actor: 'system', data: e.data, at: receivedAt }));
    insertTicketEvents(tx, records);
    tx.update(rawMessages).set({ state: 'processed', error: null, processedAt: deps.clock.now() }).where(eq(rawMessages.id, rawMessageId)).run();
    deps.beforeCommit?.();
    return { ticketId, messageRowId: messageRow.id, ticketCreated, reopened, events: records };
  }, { behavior: 'immediate' });
  db.$client.pragma('synchronous = NORMAL');
  let filed: ReturnType<typeof fileTransaction>;
  try {
    filed = fileTransaction();
  } finally {
    db.$client.pragma('synchronous = FULL');
  }

  if (!filed) return { status: 'already-processed', rawMessageId };
  return {
    status: 'processed', rawMessageId, ...filed, channel, channelRef: raw.channelRef, mailbox, customerEmail: senderEmail,
    flags, thread, input, decision, trace, parsed,
  };
};
