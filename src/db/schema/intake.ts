/**
 * Intake and ticket tables. Times are stored as integer milliseconds since the epoch (`timestamp_ms`).
 * Raw bytes and attachment contents live in the content-addressed blob store (src/db/blob-store.ts);
 * rows hold their sha256.
 */
import { sql } from 'drizzle-orm';
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const RAW_STATES = ['accepted', 'processing', 'processed', 'failed'] as const;
export type RawState = (typeof RAW_STATES)[number];

/** Every message as received, before parsing. A row exists before the channel is told "accepted". */
export const rawMessages = sqliteTable('raw_messages', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  sha256: text('sha256').notNull(),
  size: integer('size').notNull(),
  channel: text('channel').notNull(),
  /** webhook name, form id, IMAP account or import path */
  channelRef: text('channel_ref'),
  /** Message-ID header found by a quick scan at accept time (without brackets), for de-duplication */
  headerMessageId: text('header_message_id'),
  state: text('state', { enum: RAW_STATES }).notNull().default('accepted'),
  attempts: integer('attempts').notNull().default(0),
  error: text('error'),
  receivedAt: integer('received_at', { mode: 'timestamp_ms' }).notNull(),
  processedAt: integer('processed_at', { mode: 'timestamp_ms' }),
  /** channel-specific facts (form submitter IP, IMAP uid...) as JSON */
  meta: text('meta', { mode: 'json' }).$type<Record<string, unknown>>(),
}, (t) => [
  uniqueIndex('raw_messages_sha256_uq').on(t.sha256),
  uniqueIndex('raw_messages_channel_msgid_uq').on(t.channel, t.headerMessageId).where(sql`header_message_id is not null`),
  index('raw_messages_state_idx').on(t.state),
]);

export const customers = sqliteTable('customers', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** lower-cased address */
  email: text('email').notNull(),
  name: text('name'),
  domain: text('domain').notNull(),
  tier: text('tier'),
  tags: text('tags', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
}, (t) => [uniqueIndex('customers_email_uq').on(t.email)]);

export const TICKET_STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const tickets = sqliteTable('tickets', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  subject: text('subject').notNull(),
  /** subject without Re:/Fwd:/token, lower case; used for the same-sender subject match */
  subjectKey: text('subject_key').notNull(),
  status: text('status', { enum: TICKET_STATUSES }).notNull().default('new'),
  customerId: integer('customer_id').notNull().references(() => customers.id),
  channel: text('channel').notNull(),
  mailbox: text('mailbox'),
  queue: text('queue').notNull().default('triage'),
  category: text('category'),
  priority: text('priority', { enum: ['low', 'normal', 'high', 'urgent'] }).notNull().default('normal'),
  tags: text('tags', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
  assignee: text('assignee'),
  /** Outlook Thread-Index root (first 22 bytes, base64) of the conversation, when known */
  threadIndexRoot: text('thread_index_root'),
  messageCount: integer('message_count').notNull().default(0),
  transferCount: integer('transfer_count').notNull().default(0),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  lastCustomerMessageAt: integer('last_customer_message_at', { mode: 'timestamp_ms' }),
  firstResponseAt: integer('first_response_at', { mode: 'timestamp_ms' }),
  resolvedAt: integer('resolved_at', { mode: 'timestamp_ms' }),
}, (t) => [
  index('tickets_status_idx').on(t.status),
  index('tickets_customer_idx').on(t.customerId, t.subjectKey),
  index('tickets_queue_idx').on(t.queue, t.status),
  index('tickets_thread_index_idx').on(t.threadIndexRoot),
]);

/** Parsed messages, inbound and outbound, each belonging to one ticket. */
export const messages = sqliteTable('messages', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  ticketId: integer('ticket_id').notNull().references(() => tickets.id),
  rawMessageId: integer('raw_message_id').references(() => rawMessages.id),
  direction: text('direction', { enum: ['inbound', 'outbound'] }).notNull(),
  /** Message-ID without brackets; synthesized as `raw-<id>@<domain>` when the message had none */
  messageId: text('message_id').notNull(),
  inReplyTo: text('in_reply_to'),
  references: text('references', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
  fromAddress: text('from_address'),
  fromName: text('from_name'),
  to: text('to', { mode: 'json' }).$type<Array<{ name: string; address: string }>>().notNull().default(sql`'[]'`),
  cc: text('cc', { mode: 'json' }).$type<Array<{ name: string; address: string }>>().notNull().default(sql`'[]'`),
  replyTo: text('reply_to', { mode: 'json' }).$type<Array<{ name: string; address: string }>>().notNull().default(sql`'[]'`),
  subject: text('subject').notNull(),
  sentAt: integer('sent_at', { mode: 'timestamp_ms' }),
  text: text('text').notNull(),
  html: text('html'),
  visibleText: text('visible_text').notNull(),
  flags: text('flags', { mode: 'json' }).$type<{ autoReply: boolean; bounce: boolean; loop: boolean; bulk: boolean; signals: string[] }>().notNull(),
  headers: text('headers', { mode: 'json' }).$type<Record<string, string[]>>().notNull(),
  warnings: text('warnings', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
  category: text('category'),
  confidence: real('confidence'),
  /** the decision trace (classifier, rules, assignment, SLA): see src/decide/types.ts */
  decision: text('decision', { mode: 'json' }).$type<Record<string, unknown>>(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
}, (t) => [
  index('messages_ticket_idx').on(t.ticketId),
  index('messages_message_id_idx').on(t.messageId),
  uniqueIndex('messages_raw_uq').on(t.rawMessageId),
]);

export const attachments = sqliteTable('attachments', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  messageId: integer('message_id').notNull().references(() => messages.id),
  filename: text('filename'),
  contentType: text('content_type').notNull(),
  size: integer('size').notNull(),
  contentId: text('content_id'),
  disposition: text('disposition'),
  sha256: text('sha256').notNull(),
}, (t) => [index('attachments_message_idx').on(t.messageId)]);

/** The ticket's history: created, message added, reopened, status changed, assigned, SLA warnings... */
export const ticketEvents = sqliteTable('ticket_events', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  ticketId: integer('ticket_id').notNull().references(() => tickets.id),
  type: text('type').notNull(),
  actor: text('actor').notNull().default('system'),
  data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
  at: integer('at', { mode: 'timestamp_ms' }).notNull(),
}, (t) => [index('ticket_events_ticket_idx').on(t.ticketId, t.at)]);
