/**
 * IMAP accounts: the checkpoint (UIDVALIDITY + last imported UID) that makes intake exact across
 * restarts, and the account's last known health, which `GET /api/channels` and `/health` read.
 * One row per configured mailbox with `imap`, keyed by the mailbox name.
 */
import { sql } from 'drizzle-orm';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const MAILBOX_STATES = ['starting', 'connecting', 'importing', 'waiting', 'error', 'stopped'] as const;
export type MailboxState = (typeof MAILBOX_STATES)[number];

export type SkippedMessage = { uid: number; reason: string; at: string };

export const mailboxAccounts = sqliteTable('mailbox_accounts', {
  name: text('name').primaryKey(),
  /** the folder the checkpoint belongs to; a different folder in the config starts a new checkpoint */
  folder: text('folder').notNull(),
  /** UIDVALIDITY of the folder when `lastUid` was recorded (a 32-bit unsigned number, kept as text) */
  uidValidity: text('uid_validity'),
  /** every message with a UID at or below this one has been stored (or deliberately skipped) */
  lastUid: integer('last_uid').notNull().default(0),
  checkpointAt: integer('checkpoint_at', { mode: 'timestamp_ms' }),
  state: text('state', { enum: MAILBOX_STATES }).notNull().default('starting'),
  /** `idle` (IMAP IDLE: pushed) or `poll` (checked every pollSeconds) */
  mode: text('mode'),
  lastSuccessAt: integer('last_success_at', { mode: 'timestamp_ms' }),
  lastError: text('last_error'),
  /** auth | tls | connection | folder | protocol */
  lastErrorKind: text('last_error_kind'),
  lastErrorAt: integer('last_error_at', { mode: 'timestamp_ms' }),
  /** consecutive failed attempts; 0 after a successful check */
  failures: integer('failures').notNull().default(0),
  nextRetryAt: integer('next_retry_at', { mode: 'timestamp_ms' }),
  /** messages in the folder above the checkpoint at the last check (waiting to be imported) */
  backlog: integer('backlog'),
  /** unread messages in the folder at the last check */
  unseen: integer('unseen'),
  imported: integer('imported').notNull().default(0),
  duplicates: integer('duplicates').notNull().default(0),
  /** the most recent messages left in the folder unimported (too large, empty), newest last */
  skipped: text('skipped', { mode: 'json' }).$type<SkippedMessage[]>().notNull().default(sql`'[]'`),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});
