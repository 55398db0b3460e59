/**
 * From a parsed message to the DecisionInput `decide` sees, in two pure steps, so intake
 * (process-raw-message.ts) and `mailroom rules test FILE.eml` build it with the same code:
 *
 * 1. `readParsedMessage`: detection flags, who wrote it (From, else Sender, else Reply-To; a sender-less
 *    bounce is the mail system's), the mailbox it came through, the visible text (quotes and signature
 *    stripped) and the message facts rules read. No sender at all: the reason it cannot be filed.
 * 2. `buildDecisionInput`: adds the customer and ticket facts the caller looked up (intake: the database,
 *    inside the same process; `rules test`: nothing, a new ticket from an unknown customer) and the
 *    classification.
 *
 * Pure: the time is the caller's `receivedAt`, lookups are passed in.
 */
import type { FormConfig, MailboxConfig } from '../config.js';
import type { Channel, ClassificationResult, CustomerFacts, DecisionInput, DetectionFlags, MessageFacts, Priority, TicketFacts } from '../decide/types.js';
import { LOOP_HEADER } from '../mail-identity.js';
import { detectAutomatedMail } from './detect-automated-mail.js';
import type { ThreadMatch } from './find-thread.js';
import type { Address, ParsedMessage } from './parsed-message.js';
import { stripQuotes } from './strip-quotes.js';

/** The customer a sender-less bounce is filed under. */
export const UNKNOWN_MAILER_DAEMON = 'mailer-daemon@unknown.invalid';

export const CHANNELS: readonly Channel[] = ['webhook', 'form', 'import', 'imap'];

/** The parts of the intake settings that reading a message needs. */
export type ReadingSettings = { domain: string; mailboxes: readonly MailboxConfig[]; forms: readonly FormConfig[] };

export type ReadParsedMessageOptions = {
  parsed: ParsedMessage;
  channel: Channel;
  /** webhook name, form id, IMAP account or import path */
  channelRef: string | null;
  receivedAt: Date;
  settings: ReadingSettings;
};

export type MessageReading = {
  flags: DetectionFlags;
  sender: Address;
  /** lower-cased sender address: the customer's key */
  senderEmail: string;
  mailbox: string | null;
  visibleText: string;
  message: MessageFacts;
};

/** The configured mailbox a message arrived through: the channel's own, or the first recipient that is one of ours. */
const resolveMailbox = (channel: Channel, channelRef: string | null, parsed: ParsedMessage, settings: ReadingSettings): string | null => {
  if (channel === 'form') return settings.forms.find((f) => f.id === channelRef)?.mailbox ?? channelRef;
  if (channel === 'imap') return channelRef;
  const recipients = [...parsed.to, ...parsed.cc].map((a) => a.address.toLowerCase());
  const own = settings.mailboxes.find((m) => recipients.includes(m.address.toLowerCase()));
  return own?.name ?? channelRef;
};

/** Who wrote it: From, else Sender, else Reply-To; a bounce without any (MTAs do send those) is the mail system's. */
const findSender = (parsed: ParsedMessage, flags: DetectionFlags): Address | null => {
  const senderHeader = parsed.headers.sender?.[0]?.match(/[^\s<>"]+@[^\s<>"]+/)?.[0];
  return parsed.from ?? (senderHeader ? { name: '', address: senderHeader } : null) ?? parsed.replyTo[0]
    ?? (flags.bounce ? { name: 'Mail Delivery System', address: UNKNOWN_MAILER_DAEMON } : null);
};

/** Step 1 (see the header). `ok: false` carries the reason the message cannot be filed (quarantine). */
export const readParsedMessage = ({ parsed, channel, channelRef, receivedAt, settings }: ReadParsedMessageOptions):
  ({ ok: true } & MessageReading) | { ok: false; reason: string } => {
  const flags = detectAutomatedMail({
    message: parsed,
    ownLoopHeaderName: LOOP_HEADER,
    ownMessageIdDomain: settings.domain,
    ownAddresses: settings.mailboxes.map((m) => m.address.toLowerCase()),
  });
  const sender = findSender(parsed, flags);
  if (!sender) {
    const what = Object.keys(parsed.headers).length === 0 ? 'no e-mail headers found (not an RFC 822 message?)' : 'no From, Sender or Reply-To address';
    return { ok: false, reason: `${what}: cannot tell who wrote it, so no ticket can be opened` };
  }
  const senderEmail = sender.address.toLowerCase();
  const mailbox = resolveMailbox(channel, channelRef, parsed, settings);
  const { visibleText } = stripQuotes({ text: parsed.text, html: parsed.html, sender });
  const message: MessageFacts = {
    channel, mailbox, messageId: parsed.messageId, from: sender, to: parsed.to, cc: parsed.cc,
    subject: parsed.subject, text: parsed.text, visibleText, headers: parsed.headers,
    attachments: parsed.attachments.map(({ filename, contentType, size }) => ({ filename, contentType, size })),
    flags, receivedAt,
  };
  return { ok: true, flags, sender, senderEmail, mailbox, visibleText, message };
};

/** The stored customer, as far as decisions care; null for a first-time sender. */
export type KnownCustomer = { name: string | null; tier: string | null; tags: string[] };

/** The ticket the thread match found, as far as decisions care; null for a new ticket. */
export type KnownTicket = { id: number; status: string; queue: string; priority: Priority; category: string | null };

export type BuildDecisionInputOptions = {
  reading: Pick<MessageReading, 'sender' | 'senderEmail' | 'message'>;
  customer: KnownCustomer | null;
  /** the stored customer's open tickets (not resolved or closed), the matched ticket included when it is open */
  customerOpenTickets: number;
  ticket: KnownTicket | null;
  classification: ClassificationResult | null;
};

const CLOSED_STATUSES: readonly string[] = ['resolved', 'closed'];

/** Step 2 (see the header). */
export const buildDecisionInput = ({ reading, customer, customerOpenTickets, ticket, classification }: BuildDecisionInputOptions): DecisionInput => {
  const { sender, senderEmail, message } = reading;
  // "Open tickets" means the others: the ticket this message joins does not count against the customer.
  const openTickets = customer === null ? 0 : customerOpenTickets - (ticket && !CLOSED_STATUSES.includes(ticket.status) ? 1 : 0);
  const customerFacts: CustomerFacts = {
    email: senderEmail,
    domain: senderEmail.split('@')[1] ?? '',
    name: sender.name || customer?.name || null,
    tier: customer?.tier ?? null,
    tags: customer?.tags ?? [],
    openTickets,
  };
  const ticketFacts: TicketFacts = ticket
    ? { isNew: false, id: ticket.id, status: ticket.status, queue: ticket.queue, priority: ticket.priority, category: ticket.category }
    : { isNew: true, id: null, status: null, queue: null, priority: null, category: null };
  return { message, customer: customerFacts, ticket: ticketFacts, classification, now: message.receivedAt };
};

/** The lines intake puts before the decision's own summary: what detection found, and how the thread was matched. */
export const intakeSummaryLines = ({ flags, thread }: { flags: DetectionFlags; thread: Pick<ThreadMatch, 'reasons'> }): string[] => [
  ...(flags.signals.length ? [`detected: ${flags.signals.join('; ')}`] : []),
  `thread: ${thread.reasons.join('; ')}`,
];
