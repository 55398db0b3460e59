/**
 * What is stored with every filed message so the decision can be explained and replayed: the decision,
 * its trace, the thread match, and the parts of the DecisionInput that are not already columns of the
 * message row (customer and ticket facts as they were at that moment, the classification, channel,
 * mailbox, attachment summary). `rebuildDecisionInput` puts a row back together into the exact
 * DecisionInput `decide` saw, so backtests and shadow runs replay the same facts through the same code.
 */
import type { messages } from '../db/schema/index.js';
import type { ThreadMatch } from '../intake/find-thread.js';
import type { ClassificationResult, CustomerFacts, Decision, DecisionInput, DecisionTrace, MessageFacts, TicketFacts } from './types.js';

export type StoredInputFacts = {
  channel: MessageFacts['channel'];
  mailbox: string | null;
  receivedAt: string;
  attachments: MessageFacts['attachments'];
  customer: CustomerFacts;
  ticket: TicketFacts;
  classification: ClassificationResult | null;
};

export type StoredDecision = {
  decision: Decision;
  trace: DecisionTrace;
  thread: ThreadMatch;
  input: StoredInputFacts;
};

export const storedInputFacts = (input: DecisionInput): StoredInputFacts => ({
  channel: input.message.channel,
  mailbox: input.message.mailbox,
  receivedAt: input.message.receivedAt.toISOString(),
  attachments: input.message.attachments,
  customer: input.customer,
  ticket: input.ticket,
  classification: input.classification,
});

type MessageRow = Pick<typeof messages.$inferSelect, 'messageId' | 'fromAddress' | 'fromName' | 'to' | 'cc' | 'subject' | 'text' | 'visibleText' | 'headers' | 'flags' | 'decision'>;

/** The DecisionInput a stored inbound message was decided with; null for rows without a stored input (outbound mail). */
export const rebuildDecisionInput = (row: MessageRow): DecisionInput | null => {
  const stored = row.decision as unknown as StoredDecision | null;
  if (!stored?.input) return null;
  const f = stored.input;
  const receivedAt = new Date(f.receivedAt);
  return {
    message: {
      channel: f.channel,
      mailbox: f.mailbox,
      messageId: row.messageId,
      from: row.fromAddress ? { name: row.fromName ?? '', address: row.fromAddress } : null,
      to: row.to,
      cc: row.cc,
      subject: row.subject,
      text: row.text,
      visibleText: row.visibleText,
      headers: row.headers,
      attachments: f.attachments,
      flags: row.flags,
      receivedAt,
    },
    customer: f.customer,
    ticket: f.ticket,
    classification: f.classification,
    now: receivedAt,
  };
};
