/**
 * Routing tables: agent queues, agents, queue membership, and pull leases. Queues and agents come from
 * the config file (seeded at start) and the API; rules refer to queues by name.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { tickets } from './intake.js';

export const queues = sqliteTable('queues', {
  name: text('name').primaryKey(),
  description: text('description').notNull().default(''),
  /** pull | round_robin | least_loaded (src/routing/choose-assignee.ts) */
  strategy: text('strategy', { enum: ['pull', 'round_robin', 'least_loaded'] }).notNull().default('pull'),
  /** which of an agent's tickets return to the queue when the agent goes away: unstarted | all | none */
  releasePolicy: text('release_policy', { enum: ['unstarted', 'all', 'none'] }).notNull().default('unstarted'),
  /** round robin: the member who got the previous ticket */
  pointer: text('pointer'),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});

export const agents = sqliteTable('agents', {
  id: text('id').primaryKey(),
  name: text('name').notNull().default(''),
  email: text('email'),
  skills: text('skills', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
  /** most open tickets to hold at once (least_loaded; also a hard stop for assignment); null: no limit */
  capacity: integer('capacity'),
  available: integer('available', { mode: 'boolean' }).notNull().default(true),
  lastAssignedAt: integer('last_assigned_at', { mode: 'timestamp_ms' }),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});

export const queueMembers = sqliteTable('queue_members', {
  queue: text('queue').notNull().references(() => queues.name, { onDelete: 'cascade' }),
  agent: text('agent').notNull().references(() => agents.id, { onDelete: 'cascade' }),
  /** round-robin order */
  position: integer('position').notNull(),
}, (t) => [primaryKey({ columns: [t.queue, t.agent] })]);

/**
 * A pull claim: the agent who took the ticket with `POST /api/queues/:name/next` holds it until
 * `expires_at` (or until they release, transfer, or reply). One row per ticket: the primary key is what
 * makes two agents asking at the same instant get different tickets.
 */
export const ticketLeases = sqliteTable('ticket_leases', {
  ticketId: integer('ticket_id').primaryKey().references(() => tickets.id),
  agent: text('agent').notNull(),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
}, (t) => [index('ticket_leases_agent_idx').on(t.agent)]);
