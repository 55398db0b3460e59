/**
 * The prepared statements of the SLA hot path (sync-ticket-sla.ts runs on every ticket event and every
 * timer): built once per database connection, so a sync spends its time in SQLite rather than in
 * building SQL text.
 */
import { and, asc, desc, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { customers, messages, slaCrossings, ticketEvents, tickets, ticketSla } from '../db/schema/index.js';

/** Every `ticket_sla` column a sync writes (all but the key). */
const ROW_COLUMNS = Object.entries(getTableColumns(ticketSla)).filter(([key]) => key !== 'ticketId');

const build = (db: Db) => {
  const id = sql.placeholder('ticketId');
  // better-sqlite3 prepares BEGIN/COMMIT for each transaction() it makes: make it once.
  const transaction = db.$client.transaction((write: () => unknown) => write());
  return {
    /** runs `write` in a BEGIN IMMEDIATE transaction on this connection */
    immediate: <T>(write: () => T): T => transaction.immediate(write) as T,
    ticket: db.select({ id: tickets.id, customerId: tickets.customerId, priority: tickets.priority, category: tickets.category, queue: tickets.queue })
      .from(tickets).where(eq(tickets.id, id)).prepare(),
    row: db.select({ policy: ticketSla.policy, timerAt: ticketSla.timerAt, timerGeneration: ticketSla.timerGeneration })
      .from(ticketSla).where(eq(ticketSla.ticketId, id)).prepare(),
    tier: db.select({ tier: customers.tier }).from(customers).where(eq(customers.id, sql.placeholder('customerId'))).prepare(),
    /** per inbound message, newest first: how its decision chose the SLA policy */
    policyChoices: db.select({
      hasSlaTrace: sql<number>`json_type(${messages.decision}, '$.trace.sla') = 'object'`,
      reason: sql<string | null>`json_extract(${messages.decision}, '$.trace.sla.reason')`,
      chosen: sql<string | null>`json_extract(${messages.decision}, '$.trace.sla.chosen')`,
      decided: sql<string | null>`json_extract(${messages.decision}, '$.decision.slaPolicy')`,
    }).from(messages).where(and(eq(messages.ticketId, id), eq(messages.direction, 'inbound'))).orderBy(desc(messages.id)).prepare(),
    history: db.select({ type: ticketEvents.type, data: ticketEvents.data, at: ticketEvents.at }).from(ticketEvents)
      .where(eq(ticketEvents.ticketId, id)).orderBy(asc(ticketEvents.at), asc(ticketEvents.id)).prepare(),
    insertCrossing: db.insert(slaCrossings).values({
      ticketId: id, key: sql.placeholder('key'), clock: sql.placeholder('clock'), cycle: sql.placeholder('cycle'), kind: sql.placeholder('kind'),
      policy: sql.placeholder('policy'), at: sql.placeholder('at'), recordedAt: sql.placeholder('recordedAt'),
      // raw: JSON text or null (drizzle's encoder would turn a null into the text "null")
      outcome: sql`${sql.placeholder('outcome')}`,
    }).onConflictDoNothing().returning({ id: slaCrossings.id }).prepare(),
    insertEvent: db.insert(ticketEvents).values({
      ticketId: id, type: sql.placeholder('type'), actor: sql.placeholder('actor'), data: sql.placeholder('data'), at: sql.placeholder('at'),
    }).prepare(),
    /** run with `encodeRow(values)`: the placeholders are raw (drizzle would encode a null Date and fail) */
    upsertRow: db.insert(ticketSla)
      .values({ ticketId: id, ...Object.fromEntries(ROW_COLUMNS.map(([key]) => [key, sql`${sql.placeholder(key)}`])) } as never)
      .onConflictDoUpdate({
        target: ticketSla.ticketId,
        set: Object.fromEntries(ROW_COLUMNS.map(([key, column]) => [key, sql.raw(`excluded."${column.name}"`)])),
      })
      .prepare(),
  };
};

export type SlaStatements = ReturnType<typeof build>;

/** A `ticket_sla` row's values as SQLite stores them (timestamps as ms, booleans as 0/1, JSON as text). */
export const encodeRow = (values: Record<string, unknown>): Record<string, unknown> => {
  const encoded: Record<string, unknown> = { ticketId: values.ticketId };
  for (const [key, column] of ROW_COLUMNS) {
    const value = values[key];
    encoded[key] = value === null || value === undefined ? null : column.mapToDriverValue(value);
  }
  return encoded;
};

const cache = new WeakMap<Db, SlaStatements>();

/** The SLA statements of this connection (prepared on first use). */
export const slaStatements = (db: Db): SlaStatements => {
  let statements = cache.get(db);
  if (statements === undefined) {
    statements = build(db);
    cache.set(db, statements);
  }
  return statements;
};
