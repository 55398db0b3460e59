/**
 * The contract between intake and the pure decision stages (classify → rules → assign → SLA).
 *
 * `decide()` (src/decide/decide.ts) takes a DecisionInput and returns a Decision plus a DecisionTrace.
 * It never reads the clock, the environment or the database: everything it needs is in the input or
 * in the `DecisionContext` lookups. Intake, backtests, shadow runs and `mailroom rules test` all call
 * the same function.
 */
import type { Address, ParsedAttachment } from '../intake/parsed-message.js';

export type Priority = 'low' | 'normal' | 'high' | 'urgent';
export const PRIORITIES: readonly Priority[] = ['low', 'normal', 'high', 'urgent'];

export type Channel = 'webhook' | 'form' | 'import' | 'imap';

/** What detection found; see src/intake/detect-automated-mail.ts for every signal's meaning. */
export type DetectionFlags = {
  autoReply: boolean;
  bounce: boolean;
  /** mail that Mailroom itself sent, coming back */
  loop: boolean;
  /** list mail or bulk mail (List-Id, Precedence: bulk|list|junk) */
  bulk: boolean;
  /** human-readable reasons, e.g. `header Auto-Submitted: auto-replied`, `subject matches "Out of office"` */
  signals: string[];
};

/** The message as the decision stages see it: no raw bytes, no attachment content. */
export type MessageFacts = {
  channel: Channel;
  /** the mailbox (address) or form id the message arrived through, as configured */
  mailbox: string | null;
  messageId: string | null;
  from: Address | null;
  to: Address[];
  cc: Address[];
  subject: string;
  /** full plain text */
  text: string;
  /** the new part of the message: quoted history and signature removed */
  visibleText: string;
  headers: Record<string, string[]>;
  attachments: Array<Pick<ParsedAttachment, 'filename' | 'contentType' | 'size'>>;
  flags: DetectionFlags;
  receivedAt: Date;
};

export type CustomerFacts = {
  email: string;
  domain: string;
  name: string | null;
  tier: string | null;
  tags: string[];
  /** open tickets of this customer, not counting the one being decided */
  openTickets: number;
};

export type ClassificationResult = {
  /** null when the confidence is below the threshold: the message is `uncategorized` */
  category: string | null;
  confidence: number;
  top: Array<{ category: string; probability: number }>;
  modelVersion: string;
  threshold: number;
};

export type TicketFacts = {
  /** true when this message opens a new ticket, false when it joins an existing one */
  isNew: boolean;
  id: number | null;
  status: string | null;
  queue: string | null;
  priority: Priority | null;
  category: string | null;
};

export type DecisionInput = {
  message: MessageFacts;
  customer: CustomerFacts;
  ticket: TicketFacts;
  classification: ClassificationResult | null;
  now: Date;
};

export type WebhookAction = { url: string };

export type Decision = {
  category: string | null;
  priority: Priority;
  tags: string[];
  queue: string;
  skill: string | null;
  assignee: string | null;
  slaPolicy: string | null;
  autoReplyTemplate: string | null;
  /** null = the mailbox's / form's configured default */
  acknowledge: boolean | null;
  webhooks: WebhookAction[];
};

/** Each stage owns its own part of the trace; the shapes are defined next to the stage. */
export type DecisionTrace = {
  classification: ClassificationResult | null;
  rules: unknown;
  assignment: unknown;
  sla: unknown;
  /** one line per step, in the order they happened: what a supervisor reads first */
  summary: string[];
};

export const DEFAULT_TRIAGE_QUEUE = 'triage';
