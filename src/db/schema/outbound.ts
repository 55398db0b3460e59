/**
 * The outbox: every message Mailroom sends is a row here before anything talks to an SMTP server.
 * A row moves `queued → sending → sent`, back to `queued` after a temporary failure (with
 * `nextAttemptAt`), to `failed` on a permanent one, and from `sent` to `bounced` when a bounce names
 * its Message-ID. Attachment contents live in the blob store; rows hold their sha256.
 */
import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { messages, tickets } from './intake.js';

export const OUTBOX_STATES = ['queued', 'sending', 'sent', 'failed', 'bounced'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/** `reply`: written by an agent; `acknowledgement` and `auto-reply`: written by Mailroom (Auto-Submitted). */
export const OUTBOX_KINDS = ['reply', 'acknowledgement', 'auto-reply'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

export type OutboxAddress = { name: string; address: string };
export type OutboxAttachment = { filename: string; contentType: string; size: number; sha256: string };

export const outbox = sqliteTable('outbox', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  kind: text('kind', { enum: OUTBOX_KINDS }).notNull(),
  state: text('state', { enum: OUTBOX_STATES }).notNull().default('queued'),
  ticketId: integer('ticket_id').references(() => tickets.id),
  /** the outbound `messages` row that shows this mail on its ticket */
  messageRowId: integer('message_row_id').references(() => messages.id),
  mailbox: text('mailbox'),
  fromAddress: text('from_address').notNull(),
  fromName: text('from_name'),
  to: text('to', { mode: 'json' }).$type<OutboxAddress[]>().notNull(),
  cc: text('cc', { mode: 'json' }).$type<OutboxAddress[]>().notNull().default(sql`'[]'`),
  subject: text('subject').notNull(),
  text: text('text').notNull(),
  html: text('html'),
  /** Message-ID on our domain, without brackets; the same on every attempt */
  messageId: text('message_id').notNull(),
  inReplyTo: text('in_reply_to'),
  references: text('references', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
  /** extra header fields (Auto-Submitted, loop header...), already free of CR/LF */
  headers: text('headers', { mode: 'json' }).$type<Record<string, string>>().notNull().default(sql`'{}'`),
  attachments: text('attachments', { mode: 'json' }).$type<OutboxAttachment[]>().notNull().default(sql`'[]'`),
  /** envelope sender (MAIL FROM); '' = null sender `<>`; null = the From address */
  envelopeFrom: text('envelope_from'),
  /** lower-case address of the first recipient: what the auto-reply limit counts by */
  recipientKey: text('recipient_key').notNull(),
  attempts: integer('attempts').notNull().default(0),
  lastError: text('last_error'),
  /** the SMTP server's last answer (e.g. `250 2.0.0 Ok: queued as 4F2`, `550 5.1.1 User unknown`) */
  serverResponse: text('server_response'),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }),
  sendingAt: integer('sending_at', { mode: 'timestamp_ms' }),
  sentAt: integer('sent_at', { mode: 'timestamp_ms' }),
  failedAt: integer('failed_at', { mode: 'timestamp_ms' }),
  bouncedAt: integer('bounced_at', { mode: 'timestamp_ms' }),
  bounceReason: text('bounce_reason'),
}, (t) => [
  uniqueIndex('outbox_message_id_uq').on(t.messageId),
  index('outbox_state_idx').on(t.state),
  index('outbox_recipient_idx').on(t.recipientKey, t.createdAt),
  index('outbox_ticket_idx').on(t.ticketId),
]);
