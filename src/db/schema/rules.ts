/**
 * Shadow rule sets (src/rules/shadow-rules.ts): a candidate rule set that decides every newly filed
 * message beside the live one, recording only where it would have decided differently, until a
 * supervisor promotes or drops it. The candidate's files are stored here, so a shadow survives restarts
 * and every process that files mail (server, BullMQ workers) runs the same one.
 */
import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { messages, tickets } from './intake.js';

export const SHADOW_STATUSES = ['active', 'promoted', 'dropped'] as const;
export type ShadowStatus = (typeof SHADOW_STATUSES)[number];

export const ruleShadows = sqliteTable('rule_shadows', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** the candidate rule set's version (hash of its files' names and contents) */
  version: text('version').notNull(),
  /** the rules directory's version when the shadow started; promotion refuses to overwrite later edits */
  baseVersion: text('base_version').notNull(),
  /** the complete candidate: every rule file, name and content */
  files: text('files', { mode: 'json' }).$type<Array<{ name: string; content: string }>>().notNull(),
  status: text('status', { enum: SHADOW_STATUSES }).notNull().default('active'),
  /** messages the shadow decided */
  compared: integer('compared').notNull().default(0),
  /** of those, messages where it decided differently */
  differed: integer('differed').notNull().default(0),
  startedAt: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
  endedAt: integer('ended_at', { mode: 'timestamp_ms' }),
}, (t) => [uniqueIndex('rule_shadows_one_active_uq').on(t.status).where(sql`status = 'active'`)]);

/** One message the shadow decided differently: which parts, the live values and the candidate's. */
export const shadowDiffs = sqliteTable('shadow_diffs', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  shadowId: integer('shadow_id').notNull().references(() => ruleShadows.id),
  messageId: integer('message_id').notNull().references(() => messages.id),
  ticketId: integer('ticket_id').notNull().references(() => tickets.id),
  /** change kinds (src/rules/backtest-rules.ts CHANGE_KINDS): queue, priority, category... */
  fields: text('fields', { mode: 'json' }).$type<string[]>().notNull(),
  /** the live decision's values of those fields */
  old: text('old_values', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  /** the candidate's values */
  new: text('new_values', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  /** rules of the candidate that matched */
  matched: text('matched', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
  at: integer('at', { mode: 'timestamp_ms' }).notNull(),
}, (t) => [index('shadow_diffs_shadow_idx').on(t.shadowId, t.id)]);
